-- Extends one lease in a key's lease set (admit.lua's) to ARGV[2]; a lease given back stays given back. The set's
-- expiry follows the way admit.lua moves it, only ever later: through its member '~' (minus the deadline it was set to).
--
-- KEYS[1] lease zset     ARGV[1] lease id     ARGV[2] until ms     ARGV[3] now ms
-- Returns 1 when the lease was extended, 0 when it was gone (or already held until then).

if redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', ARGV[2], ARGV[1]) == 0 then return 0 end
local untilMs = tonumber(ARGV[2])
local deadline = untilMs + 60000
if redis.call('ZADD', KEYS[1], 'LT', 'CH', -deadline, '~') == 1 then
  -- the slack stays even when the caller's clock and the lease's times disagree
  redis.call('PEXPIRE', KEYS[1], math.max(untilMs - tonumber(ARGV[3]), 0) + 60000)
end
return 1

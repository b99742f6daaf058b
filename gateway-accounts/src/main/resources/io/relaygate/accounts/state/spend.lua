-- Counts one finished request against its key's limits (every key tagged {k:<key id>}: one slot): its cost into the
-- key's usage hashes it has cost limits for (of day, week and total: the fields admit.lua reads), its tokens into the
-- token window, and gives its concurrency lease back. The request's other counters follow later, batched, through
-- usage.lua (the cost too, into the buckets without a cost limit: its record says which these were).
--
-- KEYS[1..3] the key's day, week and total usage hashes; then, when given: the token window counter, the lease zset
-- ARGV[1] cost micros     ARGV[2] day hash ttl ms     ARGV[3] week hash ttl ms
-- ARGV[4] tokens          ARGV[5] token window ttl ms (-1: no token window)
-- ARGV[6] lease id ('': none)
-- ARGV[7] write sequence number ('' or absent: not deduplicated)   ARGV[8] the writer's low mark
-- ARGV[9] per hash of KEYS[1..3] '1' or '0': whether it has a cost limit (the cost goes there now)
--         with a sequence number, the last key is the writer's applied set (zset) in the key's slot: a spend
--         applied before is skipped (a retry, or a journal replayed after a crash); the lease goes back either way

local last = #KEYS
if ARGV[7] ~= nil and ARGV[7] ~= '' then
  last = last - 1
  if applied(KEYS[last + 1], ARGV[7], ARGV[8]) then
    if ARGV[6] ~= '' then redis.call('ZREM', KEYS[last], ARGV[6]) end
    return 0
  end
end

-- a bucket's first cost sets its expiry (a bucket's end never moves)
local cost = tonumber(ARGV[1])
if cost ~= 0 then
  for i = 1, 3 do
    if string.sub(ARGV[9], i, i) == '1' and redis.call('HINCRBY', KEYS[i], 'cost', cost) == cost and i < 3 then
      redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1 + i]))
    end
  end
end
local k = 3
local windowTtl = tonumber(ARGV[5])
if windowTtl >= 0 then
  k = k + 1
  local tokens = tonumber(ARGV[4])
  if redis.call('INCRBY', KEYS[k], tokens) == tokens then redis.call('PEXPIRE', KEYS[k], windowTtl) end
end
if ARGV[6] ~= '' then
  k = k + 1
  redis.call('ZREM', KEYS[k], ARGV[6])
end
return 1

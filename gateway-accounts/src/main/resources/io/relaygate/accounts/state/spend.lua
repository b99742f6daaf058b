-- Counts one finished request against its key's limits (every key tagged {k:<key id>}: one slot): its cost into the
-- key's day, week and total usage hashes (the fields admit.lua reads), its tokens into the token window, and gives
-- its concurrency lease back. The request's other counters follow later, batched, through usage.lua.
--
-- KEYS[1..3] the key's day, week and total usage hashes; then, when given: the token window counter, the lease zset
-- ARGV[1] cost micros     ARGV[2] day hash ttl ms     ARGV[3] week hash ttl ms
-- ARGV[4] tokens          ARGV[5] token window ttl ms (-1: no token window)
-- ARGV[6] lease id ('': none)
-- ARGV[7] write sequence number ('' or absent: not deduplicated)   ARGV[8] the writer's low mark
--         with a sequence number, the last key is the writer's applied set (zset) in the key's slot: a spend
--         applied before is skipped (a retry, or a journal replayed after a crash); the lease goes back either way

local last = #KEYS
if ARGV[7] ~= nil and ARGV[7] ~= '' then
  local set = KEYS[last]
  last = last - 1
  -- the set remembers the highest low mark it was given (member 'L'), see usage.lua
  local low = math.max(tonumber(ARGV[8]), tonumber(redis.call('ZSCORE', set, 'L') or '0'))
  -- as an integer string: Lua would print a 16-digit number as %.14g and lose its last digits
  local lows = string.format('%d', low)
  redis.call('ZADD', set, lows, 'L')
  redis.call('ZREMRANGEBYSCORE', set, '-inf', '(' .. lows)
  if tonumber(ARGV[7]) < low or redis.call('ZSCORE', set, ARGV[7]) then
    if ARGV[6] ~= '' then redis.call('ZREM', KEYS[last], ARGV[6]) end
    return 0
  end
  redis.call('ZADD', set, ARGV[7], ARGV[7])
  redis.call('PEXPIRE', set, 604800000)
end

local cost = tonumber(ARGV[1])
if cost ~= 0 then
  for i = 1, 3 do redis.call('HINCRBY', KEYS[i], 'cost', cost) end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
end
local k = 3
local windowTtl = tonumber(ARGV[5])
if windowTtl >= 0 then
  k = k + 1
  redis.call('INCRBY', KEYS[k], tonumber(ARGV[4]))
  redis.call('PEXPIRE', KEYS[k], windowTtl)
end
if ARGV[6] ~= '' then
  k = k + 1
  redis.call('ZREM', KEYS[k], ARGV[6])
end
return 1

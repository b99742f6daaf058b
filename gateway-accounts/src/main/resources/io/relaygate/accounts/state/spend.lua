-- Counts one finished request against its key's limits (every key tagged {k:<key id>}: one slot): its cost into the
-- key's day, week and total usage hashes (the fields admit.lua reads), its tokens into the token window, and gives
-- its concurrency lease back. The request's other counters follow later, batched, through usage.lua.
--
-- KEYS[1..3] the key's day, week and total usage hashes; then, when given: the token window counter, the lease zset
-- ARGV[1] cost micros     ARGV[2] day hash ttl ms     ARGV[3] week hash ttl ms
-- ARGV[4] tokens          ARGV[5] token window ttl ms (-1: no token window)
-- ARGV[6] lease id ('': none)

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

-- Adds one request's counters to the usage hashes of one scope (a key, an account or a model: one hash tag, one
-- slot), and for a key also to its token window.
--
-- KEYS[1..n] usage hashes       KEYS[n+1] (optional) token window counter
-- ARGV[1] n                     ARGV[2..8] requests, errors, input, output, cache_creation, cache_read, cost
-- ARGV[9..8+n] ttl ms per hash (0: keep for ever)
-- ARGV[9+n] token window ttl ms (when KEYS[n+1] is given; else ignored)
-- ARGV[10+n] per hash '1' or '0': whether the cost goes there (a key's cost in the buckets it has cost limits for was counted
--            already, by spend.lua)
-- ARGV[11+n] write sequence number ('': not deduplicated)   ARGV[12+n] the writer's low mark
--            with a sequence number, the last key is the writer's applied set (zset) in this scope's slot: a write
--            applied before is skipped (a retry, or a journal replayed after a crash)
--
-- Returns, per usage hash in order, its cost and requests after the write (what the caller ranks the scope's ids by in
-- the top lists, topset.lua, in another slot); an empty list when the write was applied before.

local n = tonumber(ARGV[1])
local keys = #KEYS
local seq = ARGV[11 + n]
if seq ~= nil and seq ~= '' then
  if applied(KEYS[keys], seq, ARGV[12 + n]) then return {} end
  keys = keys - 1
end
local fields = {'requests', 'errors', 'input', 'output', 'cache_creation', 'cache_read', 'cost'}
local withCost = ARGV[10 + n]
local sums = {}
for i = 1, n do
  local last = 7
  if string.sub(withCost, i, i) == '0' then last = 6 end
  -- the sums come from the writes themselves; a hash may be new when the first field written was (its first write
  -- sets its expiry: a bucket's end never moves)
  local fresh, requests, cost = nil, nil, nil
  for f = 1, last do
    local v = tonumber(ARGV[1 + f])
    if v ~= 0 then
      local sum = redis.call('HINCRBY', KEYS[i], fields[f], v)
      if fresh == nil then fresh = sum == v end
      if f == 1 then requests = sum elseif f == 7 then cost = sum end
    end
  end
  local ttl = tonumber(ARGV[8 + i])
  if fresh and ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  if requests == nil or cost == nil then
    local v = redis.call('HMGET', KEYS[i], 'cost', 'requests')
    cost = cost or tonumber(v[1]) or 0
    requests = requests or tonumber(v[2]) or 0
  end
  sums[#sums + 1] = cost
  sums[#sums + 1] = requests
end
if keys > n then
  local tokens = tonumber(ARGV[4]) + tonumber(ARGV[5]) + tonumber(ARGV[6]) + tonumber(ARGV[7])
  if redis.call('INCRBY', KEYS[n + 1], tokens) == tokens then redis.call('PEXPIRE', KEYS[n + 1], tonumber(ARGV[9 + n])) end
end
return sums

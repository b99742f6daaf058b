-- usage(K, A): adds one request's counters to the usage hashes of one scope (a key, an account or a model: one hash
-- tag, one slot), and for a key also to its token window.
--
-- K[1..n] usage hashes         K[n+1] (optional) token window counter
-- A[1] n                        A[2..8] requests, errors, input, output, cache_creation, cache_read, cost
-- A[9..8+n] ttl ms per hash (0: keep for ever)
-- A[9+n] token window ttl ms (when K[n+1] is given; else ignored)
-- A[10+n] per hash '1' or '0': whether the cost goes there (a key's cost in the buckets it has cost limits for was
--         counted already, by spend.lua)
-- A[11+n] write sequence number ('': not deduplicated)   A[12+n] the writer's low mark
--         with a sequence number, the last key is the writer's applied set (zset) in this scope's slot: a write
--         applied before is skipped (a retry, or a journal replayed after a crash)
--
-- K and A are the script's KEYS and ARGV (RedisSharedState ends this file with 'return usage(KEYS, ARGV)') or one
-- section of them (batch.lua). Returns, per usage hash in order, its cost and requests after the write (what the top
-- lists rank the scope's ids by: topset.lua, in another slot, or batch.lua); an empty list when the write was applied
-- before.

local function usage(K, A)
  local n = tonumber(A[1])
  local keys = #K
  local seq = A[11 + n]
  if seq ~= nil and seq ~= '' then
    if applied(K[keys], seq, A[12 + n]) then return {} end
    keys = keys - 1
  end
  local fields = {'requests', 'errors', 'input', 'output', 'cache_creation', 'cache_read', 'cost'}
  local withCost = A[10 + n]
  local sums = {}
  for i = 1, n do
    local last = 7
    if string.sub(withCost, i, i) == '0' then last = 6 end
    -- the sums come from the writes themselves; a hash may be new when the first field written was (its first write
    -- sets its expiry: a bucket's end never moves)
    local fresh, requests, cost = nil, nil, nil
    for f = 1, last do
      local v = tonumber(A[1 + f])
      if v ~= 0 then
        local sum = redis.call('HINCRBY', K[i], fields[f], v)
        if fresh == nil then fresh = sum == v end
        if f == 1 then requests = sum elseif f == 7 then cost = sum end
      end
    end
    local ttl = tonumber(A[8 + i])
    if fresh and ttl > 0 then redis.call('PEXPIRE', K[i], ttl) end
    if requests == nil or cost == nil then
      local v = redis.call('HMGET', K[i], 'cost', 'requests')
      cost = cost or tonumber(v[1]) or 0
      requests = requests or tonumber(v[2]) or 0
    end
    sums[#sums + 1] = cost
    sums[#sums + 1] = requests
  end
  if keys > n then
    local tokens = tonumber(A[4]) + tonumber(A[5]) + tonumber(A[6]) + tonumber(A[7])
    if redis.call('INCRBY', K[n + 1], tokens) == tokens then redis.call('PEXPIRE', K[n + 1], tonumber(A[9 + n])) end
  end
  return sums
end

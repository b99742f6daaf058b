-- Group commit on a Redis of one server (RedisGroupCommit): a key's spend, and the usage batch and request records
-- that were due, in one call. Follows applied.lua, usage.lua and the parts, each wrapped by RedisGroupCommit as a
-- function of its own KEYS and ARGV: spend(K, A) (spend.lua), batch(K, A) (batch.lua), records(K, A) (records.lua).
--
-- ARGV[1..6] the number of keys and of arguments of the spend, the batch and the records, in that order (0 and 0: the
--            part is absent); then the parts' arguments in the same order. KEYS: the parts' keys in the same order.
--
-- Each part runs in its own pcall, spend first: a part that fails leaves the others applied, and its caller handles
-- it as it would the part's own failed call. Returns per part its script's answer (an integer; 0 when absent) or the
-- error's text, a string starting 'ERR '.

local parts = {spend, batch, records}

-- a part's keys or arguments as a table of its own (a loop: unpack is bounded by Lua's stack, a batch may be larger)
local function slice(t, from, n)
  local out = {}
  for i = 1, n do out[i] = t[from + i - 1] end
  return out
end

local answers = {}
local k, a = 1, 7
for p = 1, 3 do
  local nk, na = tonumber(ARGV[2 * p - 1]), tonumber(ARGV[2 * p])
  if nk + na == 0 then
    answers[p] = 0
  else
    local ok, r = pcall(parts[p], slice(KEYS, k, nk), slice(ARGV, a, na))
    if ok then
      answers[p] = r
    else
      if type(r) == 'table' then r = r.err end
      answers[p] = 'ERR ' .. tostring(r)
    end
  end
  k = k + nk
  a = a + na
end
return answers

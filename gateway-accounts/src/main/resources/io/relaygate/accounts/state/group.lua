-- Group commit on a Redis of one server (RedisGroupCommit): several scripts' work in one call. Follows applied.lua,
-- usage.lua and the parts, each wrapped by RedisGroupCommit as a function of its own KEYS and ARGV: spend(K, A)
-- (spend.lua), admit(K, A) (admit.lua), batch(K, A) (batch.lua), records(K, A) (records.lua).
--
-- ARGV[1] n, the number of parts; ARGV[2 .. 1 + 3n] per part its kind (1 spend, 2 admit, 3 batch, 4 records), the
--         number of its keys and of its arguments; then the parts' arguments in the same order. KEYS: the parts' keys
--         in the same order. The caller orders the parts: spends before the admission they ride with, so a lease a
--         spend gives back is free for it.
--
-- Each part runs in its own pcall, in order: a part that fails leaves the others applied, and its caller handles it
-- as it would the part's own failed call. Returns per part its script's answer (an integer, or admit.lua's array) or
-- the error's text, a string starting 'ERR '.

local kinds = {spend, admit, batch, records}

-- a part's keys or arguments as a table of its own (a loop: unpack is bounded by Lua's stack, a batch may be larger)
local function slice(t, from, n)
  local out = {}
  for i = 1, n do out[i] = t[from + i - 1] end
  return out
end

local n = tonumber(ARGV[1])
local answers = {}
local k, a = 1, 2 + 3 * n
for p = 1, n do
  local kind, nk, na = tonumber(ARGV[3 * p - 1]), tonumber(ARGV[3 * p]), tonumber(ARGV[3 * p + 1])
  local ok, r = pcall(kinds[kind], slice(KEYS, k, nk), slice(ARGV, a, na))
  if ok then
    answers[p] = r
  else
    if type(r) == 'table' then r = r.err end
    answers[p] = 'ERR ' .. tostring(r)
  end
  k = k + nk
  a = a + na
end
return answers

-- A usage batch in one call, on a standalone or Sentinel-watched Redis (one server holds every slot, so a script may
-- touch the key, account, model and top-list keys together; on a Cluster the store sends usage.lua per scope and
-- topset.lua instead). Follows applied.lua and usage.lua (RedisSharedState joins them).
--
-- ARGV[1] s, the number of sections: one per usage.lua the batch would have sent. Then per section, in order:
--   nk, na         its usage.lua's number of keys and of arguments
--   id             the id the section's sums rank in its top lists
--   t              its top lists, then per list: the index in usage.lua's answer of the hash it ranks (1-based, a
--                  cost; the requests follow it) and the list's ttl ms (0: keep for ever)
--   na arguments   usage.lua's ARGV
-- KEYS, per section in the same order: its nk usage.lua keys, then its t top lists.
--
-- Scores only rise (ZADD GT), as in topset.lua: cost, then requests in the fraction. One ZADD per list for the whole
-- batch (per 500 ids), a list's expiry set when ids joined it. A section applied before ranks nothing. Returns s.
local tops, order = {}, {}
local k, a = 1, 2
local s = tonumber(ARGV[1])
for _ = 1, s do
  local nk, na, id, t = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2], tonumber(ARGV[a + 3])
  local lists = a + 4
  a = lists + 2 * t
  local sums = usage({unpack(KEYS, k, k + nk - 1)}, {unpack(ARGV, a, a + na - 1)})
  if #sums > 0 then
    for j = 0, t - 1 do
      local key, i = KEYS[k + nk + j], tonumber(ARGV[lists + 2 * j])
      local list = tops[key]
      if list == nil then
        list = {ttl = tonumber(ARGV[lists + 2 * j + 1]), args = {}}
        tops[key] = list
        order[#order + 1] = key
      end
      local score = sums[i] + math.min(sums[i + 1], 1048575) / 1048576
      list.args[#list.args + 1] = string.format('%.17g', score)
      list.args[#list.args + 1] = id
    end
  end
  k = k + nk + t
  a = a + na
end
for _, key in ipairs(order) do
  local list = tops[key]
  local added = 0
  for from = 1, #list.args, 1000 do
    added = added + redis.call('ZADD', key, 'GT', unpack(list.args, from, math.min(from + 999, #list.args)))
  end
  if added > 0 and list.ttl > 0 then redis.call('PEXPIRE', key, list.ttl) end
end
return s

-- Raises the scores of ids in top lists (sorted sets of one scope's ids in one usage bucket, ranked by cost, then
-- requests), all in the {top} slot: one call per usage batch for every list it touched.
--
-- KEYS[1..m] the sorted sets     ARGV, per set in order: its ttl ms (0: keep for ever), c, then c score/id pairs
-- Scores only rise (GT): each is an id's sum after a write, so an older write's sum arriving late changes nothing. A
-- set's expiry is set when ids are added to it (a new set; its bucket's end never moves), not on every batch.
local a = 1
for k = 1, #KEYS do
  local ttl = tonumber(ARGV[a])
  local c = tonumber(ARGV[a + 1])
  local args = {}
  for i = a + 2, a + 1 + 2 * c do args[#args + 1] = ARGV[i] end
  a = a + 2 + 2 * c
  if redis.call('ZADD', KEYS[k], 'GT', unpack(args)) > 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[k], ttl) end
end
return 1

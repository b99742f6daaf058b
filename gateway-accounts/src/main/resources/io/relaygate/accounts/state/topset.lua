-- Raises the scores of ids in one top list (a sorted set of one scope's ids in one usage bucket, ranked by cost, then
-- requests) and keeps the set as long as the bucket's usage hashes. Run once per list per usage batch.
--
-- KEYS[1] the sorted set     ARGV[1] ttl ms (0: keep for ever)     ARGV[2..] score, id pairs
-- Scores only rise (GT): each is an id's sum after a write, so an older write's sum arriving late changes nothing.
local args = {}
for i = 2, #ARGV do args[#args + 1] = ARGV[i] end
redis.call('ZADD', KEYS[1], 'GT', unpack(args))
local ttl = tonumber(ARGV[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1

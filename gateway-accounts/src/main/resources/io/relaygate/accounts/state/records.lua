-- Appends a batch of request records (RedisRequestRecords) to the stream KEYS[1] as one entry: fields r, r2, r3, …
-- holding the records' JSON, oldest first. KEYS[2] ranks each entry id by the count of records ever appended after
-- it, KEYS[3] is that count; each time the count passes a quarter of the bound ARGV[1], the entries older than the
-- newest ARGV[1] records go (XTRIM MINID). ARGV[2..] the records' JSON. Returns the number of records added.
-- Sent alone (EVAL) or as a part of group.lua (RedisGroupCommit), which wraps it as a function.
local fields = {}
for i = 2, #ARGV do
  fields[#fields + 1] = i == 2 and 'r' or 'r' .. (i - 1)
  fields[#fields + 1] = ARGV[i]
end
local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
local added = #ARGV - 1
local total = redis.call('INCRBY', KEYS[3], added)
redis.call('ZADD', KEYS[2], total, id)
local keep = tonumber(ARGV[1])
local step = math.max(1, math.floor(keep / 4))
if math.floor(total / step) > math.floor((total - added) / step) then
  local oldest = redis.call('ZRANGE', KEYS[2], '(' .. (total - keep), '+inf', 'BYSCORE', 'LIMIT', 0, 1)
  redis.call('XTRIM', KEYS[1], 'MINID', oldest[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', total - keep)
end
return added

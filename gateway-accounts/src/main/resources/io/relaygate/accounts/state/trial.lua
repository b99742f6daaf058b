-- The one trial request of a half-open account (its fault cool-down is over, it is not trusted yet), for every
-- instance at once. Both keys are tagged {acct}: one slot.
--
-- KEYS[1] the account conditions hash     KEYS[2] the account's trial claim ('<claim id>|<expiry ms>')
-- ARGV[1] 'claim' or 'release'            ARGV[2] account id     ARGV[3] claim id
-- ARGV[4] now ms (claim)                  ARGV[5] claim ttl ms (claim)
--
-- claim: 2 when the account has no condition any more (recovered), 1 when the claim is the caller's, 0 when the
-- account is cooling down again or another request holds the trial. A condition is 'state|since|until|reason'
-- (ConditionCodec); the caller only claims for states that recover by trial.
-- release: deletes the claim when the caller holds it; 1 when it did.
-- The expiry is the caller's clock (like every time in these scripts); the key's own TTL only collects garbage.

local held = redis.call('GET', KEYS[2])
local holder, heldUntil
if held then
  holder, heldUntil = string.match(held, '^(.*)|(%-?%d+)$')
end

if ARGV[1] == 'release' then
  if holder == ARGV[3] then
    redis.call('DEL', KEYS[2])
    return 1
  end
  return 0
end

local c = redis.call('HGET', KEYS[1], ARGV[2])
if not c then return 2 end
local untilMs = tonumber(string.match(c, '^[^|]*|[^|]*|([^|]*)|'))
if untilMs == nil or untilMs < 0 or untilMs > tonumber(ARGV[4]) then return 0 end
local now = tonumber(ARGV[4])
if heldUntil ~= nil and tonumber(heldUntil) > now then return 0 end
local ttl = tonumber(ARGV[5])
redis.call('SET', KEYS[2], ARGV[3] .. '|' .. string.format('%d', now + ttl), 'PX', ttl + 60000)
return 1

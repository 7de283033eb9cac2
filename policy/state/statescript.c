/*
 * statescript.c - the Lua run inside Redis for the sender state.
 *
 * Exports statescript_lookup and statescript_trust (text).  Layout of
 * the sender hash: state.h.
 *
 * statescript_lookup
 *   KEYS  1 the sender's hash PREFIX{name}, 2 the known index PREFIXknown
 *         3 the relay's domain counter PREFIXinfra:<infra> (HyperLogLog)
 *         4 the address's own hash PREFIX{address} (1 again: none)
 *   ARGV  1 now  2 teach: eight '0' or '1', the one at 1 + 4 known +
 *         2 relay known + signers all known says whether this message
 *         teaches given the history before it (known: k present; relay:
 *         r<infra> or R<infra>, 0 with no infra; signers: s<sig> or
 *         S<sig> for each, 1 with none)  3 learn 0|1  4 TTL with
 *         authenticated history  5 TTL without  6 relay (and subdomain)
 *         cap  7 signer cap  8 known-index cap  9 name to keep in field
 *         d ("" none)  10 index member ("" none)  11 infra ("" none)
 *         12 the infra with the authenticated identity, used when the
 *         infra is shared ("org:esp.example/dkim:a.example")  13 shared
 *         infra threshold (distinct domains, 0 off)  14 the From
 *         address ("" none)  15 its name for field d  16 '1' when its
 *         domain is a listed shared mailbox provider  17 shared mailbox
 *         threshold (distinct addresses, 0 off)  18 the From subdomain
 *         ("" when the From domain is the organisational one)  19 '1'
 *         with an aligned DKIM pass  20 profile minimum of messages
 *         (0: no profile)  21 profile minimum of seconds  22 the name
 *         counted in KEYS[3]  23 E, the number of other author domains
 *         24 the list organisation that signed the message ("" none;
 *         KEYS 5 its hash, else 1 again)  25 eight '0' or '1' as 2:
 *         whether the post is recorded for the list
 *         26.. 5 per other author domain: its 12, 14, 16, 18 and 22
 *         (KEYS 6, 7 per other: its 1 and 4)
 *         26 + 5E link minimum (lm needed before a link is new; 0
 *         never), +1 link cap, +2 L, the number of link organisations,
 *         then the L organisations (issue 12)
 *         29 + 5E + L.. signers
 *   Teach masks (2 and 25) have sixteen characters: the index above,
 *   plus 8 when a link organisation is new (the history is known, lm
 *   reached the minimum and a w<org> is missing).  A message that
 *   teaches adds 1 to lm and touches w<org> ("COUNT:LAST", cap as a
 *   relay's, nw counts them) for each link organisation.
 *   Whose history: the address's (KEYS[4]) when the domain is listed or
 *   the distinct addresses counted in field x of its hash reached
 *   ARGV[17], else the domain's.  Which relay: the
 *   ARGV[12] form when the infra's counter reached ARGV[13]; then a
 *   learned signer not aligned with the sender (ARGV[22]) reads as
 *   unknown (the platform signs for every customer); a trusted one
 *   stays trusted.
 *   Reply the HMGET of m a f l k pn pl u<sub> r<infra> R<infra>
 *         [s<sig> S<sig>]... of that history as it was before this
 *         message (nil when absent or not asked), then an integer:
 *         1 this message made the history known, 2 it taught, 4 per
 *         address, 8 the infra is shared; then the same block (flags 4
 *         and 8 only) for each other author domain, in order; last
 *         the list's distinct known posters and its first counted post
 *         (0 and 0 without a list); then lm and, per link organisation,
 *         1 when it was learned, else 0.
 *   Lists (issue 11 item 8): a post through a list whose own DKIM
 *   signed it, by a poster whose history was known (k) before it, that
 *   the caller's mask (ARGV 25, per history as ARGV 2) says is not
 *   held, sets the poster organisation's bit in field Lx of the list
 *   organisation's hash (128-bit linear counting, as x) and Lf once;
 *   learn 0 records nothing.
 *   Other author domains (a message with two From headers or two
 *   addresses, authors.c) are only read, before anything is written,
 *   each as if it were the only one; they are never written (such a
 *   message never teaches: the caller sends learn 0).  Redis Cluster:
 *   their keys are in other slots (see state.h: a standalone server or
 *   a Sentinel-managed master, as for the known index).
 *   Writes nothing unless learn is 1.  A message that does not teach
 *   counts in the traffic fields m, f and l only, which lower no score
 *   (first_contact and "known" read k): it never writes k, a, pn, pl,
 *   subdomains, relays, signers, the counters or the index, and never
 *   lengthens the TTL of a domain with authenticated history (a held
 *   forgery must not keep a history alive).  Nor does a message that
 *   breaks a stable profile (sender/profile.c says when; the same test
 *   is here): it must not wear the profile down.  The caller decides
 *   "teach" before it knows the history, so it says what to do for
 *   each history that changes its verdict: one round trip still.  A
 *   new relay, subdomain or signer past its cap first evicts the least
 *   recently seen ones (sorting at most cap+1 fields of this one hash).
 *   The counters stop growing at their threshold (a sparse HyperLogLog
 *   of at most a few hundred bytes).  Counters in values are parsed
 *   leniently: a garbled value counts as 0 rather than failing every
 *   message.
 *
 * statescript_trust
 *   KEYS  1 the sender's hash
 *   ARGV  1 field (R<infra> or S<signer>)  2 1 mark | 0 unmark  3 now
 *         4 cap per kind  5 TTL  6 name to keep in field d ("" none)
 *   Reply 1 done, 0 nothing to unmark, error "CAP ..." past the cap.
 */
#include "state/statescript.h"

const char statescript_lookup[] =
"local now, learn = tonumber(ARGV[1]), ARGV[3] == '1'\n"
"local plain = ARGV[11]\n"
"local ithr, mthr = tonumber(ARGV[13]), tonumber(ARGV[17])\n"
"local nother = tonumber(ARGV[23]) or 0\n"
"local lb = 26 + 5 * nother\n"
"local lmin, lcap = tonumber(ARGV[lb]) or 0, tonumber(ARGV[lb + 1]) or 64\n"
"local nl = tonumber(ARGV[lb + 2]) or 0\n"
"local s0 = lb + 3 + nl\n"
"local icount = 0\n"
"if plain ~= '' and ithr > 0 then icount = redis.call('PFCOUNT', KEYS[3]) end\n"
"-- Linear counting over a 128-bit map (32 hex digits): n = -128 ln(z/128)\n"
"-- with z bits still 0 (about 8% error at 100; saturates near 600).\n"
"local function lcmap(m)\n"
"  if not m or #m ~= 32 or string.find(m, '[^0-9a-f]') then\n"
"    return string.rep('0', 32)\n"
"  end\n"
"  return m\n"
"end\n"
"local function lczeros(m)\n"
"  local z, pc = 0, {[0] = 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4}\n"
"  for i = 1, 32 do z = z + 4 - pc[tonumber(string.sub(m, i, i), 16)] end\n"
"  return z\n"
"end\n"
"local function lcbit(name)\n"
"  return tonumber(string.sub(redis.sha1hex(name), 1, 2), 16) % 128\n"
"end\n"
"local function lcset(m, bit)\n"
"  local i, b = math.floor(bit / 4) + 1, 2 ^ (bit % 4)\n"
"  local c = tonumber(string.sub(m, i, i), 16)\n"
"  if math.floor(c / b) % 2 == 1 then return nil end\n"
"  return string.sub(m, 1, i - 1) .. string.format('%x', c + b) ..\n"
"    string.sub(m, i + 1)\n"
"end\n"
"-- One author's history as it is before this message: kd its domain's\n"
"-- hash, ka its address's, iid the infra with its identity, addr the\n"
"-- From address, listed '1' on a listed mailbox domain, sub the From\n"
"-- subdomain, dom the organisational domain.\n"
"local function read(kd, ka, iid, addr, listed, sub, dom)\n"
"  local h = {k = kd, flags = 0, peraddr = false, infra = plain}\n"
"  -- Distinct senders of the domain: field x of its hash.\n"
"  if addr ~= '' and listed ~= '1' and mthr > 0 then\n"
"    local xmap = lcmap(redis.call('HGET', kd, 'x'))\n"
"    local z = lczeros(xmap)\n"
"    if z == 0 or -128 * math.log(z / 128) >= mthr then h.peraddr = true end\n"
"    h.xmap = xmap\n"
"    h.xbit = lcbit(addr)\n"
"  end\n"
"  if addr ~= '' and (listed == '1' or h.peraddr) then\n"
"    h.peraddr, h.k, h.flags = true, ka, 4\n"
"  end\n"
"  if plain ~= '' and ithr > 0 and icount >= ithr and iid ~= '' then\n"
"    h.infra, h.shared = iid, true; h.flags = h.flags + 8\n"
"  end\n"
"  h.sub = h.peraddr and '' or sub\n"
"  local f = {'m', 'a', 'f', 'l', 'k', 'pn', 'pl', 'u' .. h.sub,\n"
"    'r' .. h.infra, 'R' .. h.infra}\n"
"  for i = s0, #ARGV do\n"
"    f[#f + 1] = 's' .. ARGV[i]; f[#f + 1] = 'S' .. ARGV[i]\n"
"  end\n"
"  local v = redis.call('HMGET', h.k, unpack(f))\n"
"  if h.sub == '' then v[8] = false end\n"
"  if h.infra == '' then v[9] = false; v[10] = false end\n"
"  -- On a shared infra, a learned signer not aligned with the sender\n"
"  -- (the platform's own d=, common to all its customers) proves\n"
"  -- nothing.\n"
"  h.seen = {}\n"
"  for j = 11, #f do h.seen[j] = v[j] end\n"
"  if h.shared then\n"
"    for j = 11, #f, 2 do\n"
"      local x = ARGV[s0 + (j - 11) / 2]\n"
"      if x ~= dom and string.sub(x, -#dom - 1) ~= '.' .. dom then\n"
"        v[j] = false\n"
"      end\n"
"    end\n"
"  end\n"
"  for i = 1, #f do if v[i] == nil then v[i] = false end end\n"
"  h.f, h.v = f, v\n"
"  return h\n"
"end\n"
"-- The other author domains first (read only, before any write).\n"
"local others = {}\n"
"for j = 1, nother do\n"
"  local b = 26 + 5 * (j - 1)\n"
"  others[j] = read(KEYS[4 + 2 * j], KEYS[5 + 2 * j], ARGV[b],\n"
"    ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4])\n"
"end\n"
"local h = read(KEYS[1], KEYS[4], ARGV[12], ARGV[14], ARGV[16],\n"
"  ARGV[18], ARGV[22])\n"
"local k, name, member = h.k, ARGV[9], ARGV[10]\n"
"if h.peraddr then name, member = ARGV[15], '' end\n"
"local flags, peraddr, shared = h.flags, h.peraddr, h.shared\n"
"local xmap, xbit, infra, sub = h.xmap, h.xbit, h.infra, h.sub\n"
"local f, v, seen = h.f, h.v, h.seen\n"
"-- The link organisations (issue 12): lm, then w<org> of each.  A link\n"
"-- is new once lm reached lmin for a known history.\n"
"local lv, lnew = {false}, 0\n"
"if nl > 0 then\n"
"  local lf2 = {'lm'}\n"
"  for i = 1, nl do lf2[i + 1] = 'w' .. ARGV[lb + 2 + i] end\n"
"  lv = redis.call('HMGET', k, unpack(lf2))\n"
"  if v[5] and lmin > 0 and (tonumber(lv[1]) or 0) >= lmin then\n"
"    for i = 2, nl + 1 do if not lv[i] then lnew = 1 end end\n"
"  end\n"
"end\n"
"-- The list the message came through (its own DKIM signed it): the\n"
"-- distinct known poster organisations it carried (field Lx of the\n"
"-- list organisation's hash) and its first counted post (Lf).\n"
"local lname, lx, lf, lcount = ARGV[24], nil, false, 0\n"
"if lname ~= '' then\n"
"  local l = redis.call('HMGET', KEYS[5], 'Lx', 'Lf')\n"
"  lx, lf = lcmap(l[1]), l[2]\n"
"  local z = lczeros(lx)\n"
"  lcount = z == 0 and 128 * 5 or math.floor(-128 * math.log(z / 128) + 0.5)\n"
"end\n"
"local function reply()\n"
"  local out = {}\n"
"  for i = 1, #f do out[i] = v[i] end\n"
"  out[#f + 1] = flags\n"
"  for j = 1, nother do\n"
"    local o = others[j]\n"
"    for i = 1, #o.f do out[#out + 1] = o.v[i] end\n"
"    out[#out + 1] = o.flags\n"
"  end\n"
"  out[#out + 1] = lcount\n"
"  out[#out + 1] = tonumber(lf) or 0\n"
"  out[#out + 1] = tonumber(lv[1]) or 0\n"
"  for i = 1, nl do out[#out + 1] = lv[i + 1] and 1 or 0 end\n"
"  return out\n"
"end\n"
"if not learn then return reply() end\n"
"local function evict(p, cf, keep)\n"
"  local all, e = redis.call('HGETALL', k), {}\n"
"  for i = 1, #all, 2 do\n"
"    if string.sub(all[i], 1, 1) == p then\n"
"      e[#e + 1] = {all[i],\n"
"        tonumber(string.match(all[i + 1], ':(%d+)$')) or 0}\n"
"    end\n"
"  end\n"
"  table.sort(e, function(x, y) return x[2] < y[2] end)\n"
"  for i = 1, #e - keep do redis.call('HDEL', k, e[i][1]) end\n"
"  redis.call('HSET', k, cf, math.min(#e, keep) + 1)\n"
"end\n"
"local function touch(p, cf, m, old, cap)\n"
"  local c = 0\n"
"  if old then\n"
"    c = tonumber(string.match(old, '^(%d+):')) or 0\n"
"  elseif redis.call('HINCRBY', k, cf, 1) > cap then\n"
"    evict(p, cf, cap - 1)\n"
"  end\n"
"  redis.call('HSET', k, p .. m, (c + 1) .. ':' .. ARGV[1])\n"
"end\n"
"local set = {'l', ARGV[1]}\n"
"redis.call('HINCRBY', k, 'm', 1)\n"
"if not v[3] then\n"
"  set[#set + 1] = 'f'; set[#set + 1] = ARGV[1]\n"
"  if name ~= '' then set[#set + 1] = 'd'; set[#set + 1] = name end\n"
"end\n"
"local known = v[5]\n"
"local rk, sk = 0, 1\n"
"if infra ~= '' and (v[9] or v[10]) then rk = 1 end\n"
"for j = 11, #f, 2 do\n"
"  if not v[j] and not v[j + 1] then sk = 0 end\n"
"end\n"
"local ti = 1 + (known and 4 or 0) + 2 * rk + sk + 8 * lnew\n"
"local auth = string.sub(ARGV[2], ti, ti) == '1'\n"
"-- A list post by a poster the history knew, not held (the caller's\n"
"-- mask, as for teaching): the poster's organisation counts for the\n"
"-- list.\n"
"if lname ~= '' and known and string.sub(ARGV[25], ti, ti) == '1' then\n"
"  local nx = lcset(lx, lcbit(ARGV[22]))\n"
"  if nx then redis.call('HSET', KEYS[5], 'Lx', nx) end\n"
"  if not lf then redis.call('HSET', KEYS[5], 'Lf', ARGV[1]) end\n"
"  if redis.call('TTL', KEYS[5]) < tonumber(ARGV[4]) then\n"
"    redis.call('EXPIRE', KEYS[5], ARGV[4])\n"
"  end\n"
"end\n"
"-- The profile (mirror of profile_broken in sender/profile.c): a message\n"
"-- without aligned DKIM from a domain whose recent authenticated mail\n"
"-- all had it, or from a new subdomain by a new relay, teaches nothing.\n"
"local aligned = ARGV[19] == '1'\n"
"local minn, mins = tonumber(ARGV[20]), tonumber(ARGV[21])\n"
"local k0, a0 = tonumber(known), tonumber(v[2]) or 0\n"
"local since = tonumber(v[7]) or k0\n"
"local settled = minn > 0 and k0 and a0 >= minn and now - k0 >= mins\n"
"local stable = minn > 0 and since and (tonumber(v[6]) or 0) >= minn and\n"
"  now - since >= mins\n"
"if not aligned and (stable or (sub ~= '' and not v[8] and settled and\n"
"    rk == 0)) then\n"
"  auth = false\n"
"end\n"
"if auth then\n"
"  redis.call('HINCRBY', k, 'a', 1)\n"
"  if not known then\n"
"    set[#set + 1] = 'k'; set[#set + 1] = ARGV[1]; known = 1\n"
"    flags = flags + 1\n"
"  end\n"
"  if aligned then\n"
"    redis.call('HINCRBY', k, 'pn', 1)\n"
"  else\n"
"    set[#set + 1] = 'pl'; set[#set + 1] = ARGV[1]\n"
"    set[#set + 1] = 'pn'; set[#set + 1] = 0\n"
"  end\n"
"  if sub ~= '' then touch('u', 'nu', sub, v[8], tonumber(ARGV[6])) end\n"
"  if nl > 0 then\n"
"    redis.call('HINCRBY', k, 'lm', 1)\n"
"    for i = 1, nl do touch('w', 'nw', ARGV[lb + 2 + i], lv[i + 1], lcap) end\n"
"  end\n"
"  if infra ~= '' then touch('r', 'nr', infra, v[9], tonumber(ARGV[6])) end\n"
"  local j = 11\n"
"  for i = s0, #ARGV do\n"
"    touch('s', 'ns', ARGV[i], seen[j], tonumber(ARGV[7])); j = j + 2\n"
"  end\n"
"  if member ~= '' then\n"
"    if not v[5] then\n"
"      redis.call('ZADD', KEYS[2], now, member)\n"
"      local n, cap = redis.call('ZCARD', KEYS[2]), tonumber(ARGV[8])\n"
"      if n > cap then\n"
"        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - cap - 1)\n"
"      end\n"
"    end\n"
"    redis.call('EXPIRE', KEYS[2], ARGV[4])\n"
"  end\n"
"  if plain ~= '' and ithr > 0 and icount < ithr then\n"
"    redis.call('PFADD', KEYS[3], ARGV[22])\n"
"    redis.call('EXPIRE', KEYS[3], ARGV[4])\n"
"  end\n"
"  if xbit and not peraddr then\n"
"    local nx = lcset(xmap, xbit)\n"
"    if nx then set[#set + 1] = 'x'; set[#set + 1] = nx end\n"
"  end\n"
"  flags = flags + 2\n"
"end\n"
"redis.call('HSET', k, unpack(set))\n"
"local ttl = tonumber(known and ARGV[4] or ARGV[5])\n"
"local left = redis.call('TTL', k)\n"
"if left < ttl and (auth or not known or left < 0) then\n"
"  redis.call('EXPIRE', k, ttl)\n"
"end\n"
"return reply()\n";

const char statescript_trust[] =
"local k, f = KEYS[1], ARGV[1]\n"
"if ARGV[2] == '0' then return redis.call('HDEL', k, f) end\n"
"if redis.call('HEXISTS', k, f) == 0 then\n"
"  local p, n = string.sub(f, 1, 1), 0\n"
"  for _, x in ipairs(redis.call('HKEYS', k)) do\n"
"    if string.sub(x, 1, 1) == p then n = n + 1 end\n"
"  end\n"
"  if n >= tonumber(ARGV[4]) then\n"
"    return redis.error_reply('CAP ' .. n .. ' marked trusted already')\n"
"  end\n"
"end\n"
"redis.call('HSET', k, f, ARGV[3])\n"
"if ARGV[6] ~= '' and redis.call('HEXISTS', k, 'd') == 0 then\n"
"  redis.call('HSET', k, 'd', ARGV[6])\n"
"end\n"
"local ttl = tonumber(ARGV[5])\n"
"if redis.call('TTL', k) < ttl then redis.call('EXPIRE', k, ttl) end\n"
"return 1\n";

/*
 * statescript.c - the Lua run inside Redis for the sender state.
 *
 * Exports statescript_lookup and statescript_trust (text).  Layout of
 * the sender hash: state.h.
 *
 * statescript_lookup
 *   KEYS  1 the sender's hash PREFIX{name}, 2 the known index PREFIXknown
 *   ARGV  1 now  2 teach: eight '0' or '1', the one at 1 + 4 known +
 *         2 relay known + signers all known says whether this message
 *         teaches given the history before it (known: k present; relay:
 *         r<infra> or R<infra>, 0 with no infra; signers: s<sig> or
 *         S<sig> for each, 1 with none)  3 learn 0|1  4 TTL with
 *         authenticated history  5 TTL without  6 relay cap  7 signer
 *         cap  8 known-index cap  9 name to keep in field d ("" none)
 *         10 index member ("" none)  11 infra ("" none)  12.. signers
 *   Reply the HMGET of m a f l k [r<infra> R<infra>] [s<sig> S<sig>]...
 *         as it was before this message (nil when absent), then an
 *         integer: 1 when this message made the domain known, plus 2
 *         when it taught.
 *   Writes nothing unless learn is 1.  A message that does not teach
 *   counts in the traffic fields m, f and l only, which lower no score
 *   (first_contact and "known" read k): it never writes k, a, relays,
 *   signers or the index, and never lengthens the TTL of a domain with
 *   authenticated history (a held forgery must not keep a history
 *   alive).  The caller decides "teach" before it knows the history, so
 *   it says what to do for each history that changes its verdict: one
 *   round trip still.  A new relay or signer past its cap first
 *   evicts the least recently seen ones (sorting at most cap+1 fields of
 *   this one hash).  Counters in values are parsed leniently: a garbled
 *   value counts as 0 rather than failing every message.
 *
 * statescript_trust
 *   KEYS  1 the sender's hash
 *   ARGV  1 field (R<infra> or S<signer>)  2 1 mark | 0 unmark  3 now
 *         4 cap per kind  5 TTL  6 name to keep in field d ("" none)
 *   Reply 1 done, 0 nothing to unmark, error "CAP ..." past the cap.
 */
#include "state/statescript.h"

const char statescript_lookup[] =
"local k, now = KEYS[1], tonumber(ARGV[1])\n"
"local learn = ARGV[3] == '1'\n"
"local infra = ARGV[11]\n"
"local f = {'m', 'a', 'f', 'l', 'k'}\n"
"if infra ~= '' then f[6] = 'r' .. infra; f[7] = 'R' .. infra end\n"
"for i = 12, #ARGV do\n"
"  f[#f + 1] = 's' .. ARGV[i]; f[#f + 1] = 'S' .. ARGV[i]\n"
"end\n"
"local v = redis.call('HMGET', k, unpack(f))\n"
"local newly = 0\n"
"if not learn then v[#v + 1] = newly; return v end\n"
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
"  if ARGV[9] ~= '' then set[#set + 1] = 'd'; set[#set + 1] = ARGV[9] end\n"
"end\n"
"local known = v[5]\n"
"local rk, sk, j = 0, 1, infra ~= '' and 8 or 6\n"
"if infra ~= '' and (v[6] or v[7]) then rk = 1 end\n"
"for i = 12, #ARGV do\n"
"  if not v[j] and not v[j + 1] then sk = 0 end; j = j + 2\n"
"end\n"
"local ti = 1 + (known and 4 or 0) + 2 * rk + sk\n"
"local auth = string.sub(ARGV[2], ti, ti) == '1'\n"
"if auth then\n"
"  redis.call('HINCRBY', k, 'a', 1)\n"
"  if not known then\n"
"    set[#set + 1] = 'k'; set[#set + 1] = ARGV[1]; newly = 1; known = 1\n"
"  end\n"
"  if infra ~= '' then touch('r', 'nr', infra, v[6], tonumber(ARGV[6])) end\n"
"  local j = infra ~= '' and 8 or 6\n"
"  for i = 12, #ARGV do\n"
"    touch('s', 'ns', ARGV[i], v[j], tonumber(ARGV[7])); j = j + 2\n"
"  end\n"
"  if ARGV[10] ~= '' then\n"
"    if newly == 1 then\n"
"      redis.call('ZADD', KEYS[2], now, ARGV[10])\n"
"      local n, cap = redis.call('ZCARD', KEYS[2]), tonumber(ARGV[8])\n"
"      if n > cap then\n"
"        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - cap - 1)\n"
"      end\n"
"    end\n"
"    redis.call('EXPIRE', KEYS[2], ARGV[4])\n"
"  end\n"
"end\n"
"redis.call('HSET', k, unpack(set))\n"
"local ttl = tonumber(known and ARGV[4] or ARGV[5])\n"
"local left = redis.call('TTL', k)\n"
"if left < ttl and (auth or not known or left < 0) then\n"
"  redis.call('EXPIRE', k, ttl)\n"
"end\n"
"v[#v + 1] = newly + (auth and 2 or 0)\n"
"return v\n";

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

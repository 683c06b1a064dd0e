-- ingest.lua: wrk script for POST /internal/events, used by bench/run.
--
-- Every request is a new upstream event (a fresh "id", so none is a
-- duplicate) signed per Standard Webhooks as actions/ingest.c checks it:
-- webhook-id = the event id, webhook-timestamp = now, webhook-signature =
-- "v1," base64(HMAC-SHA256(key, id "." ts "." body)), where key is the
-- bytes of a plain ingest_secret. wrk's Lua has no crypto of its own;
-- Debian's wrk is LuaJIT and links libcrypto, so HMAC() and
-- EVP_EncodeBlock() are called through the FFI.
--
-- Environment: FZ_INGEST_SECRET (the daemon's --ingest-secret, not a
-- whsec_ one), FZ_BENCH_WS (an existing workspace id), FZ_BENCH_RUN (a
-- string unique to this run, so ids never repeat across runs). The
-- mixed run's fixed rate comes from bench/pace.c, not from here.
-- Any answer but 201 is counted; done() prints the counts, and wrk's own
-- "Non-2xx or 3xx responses" line shows them too.

local ffi = require("ffi")

ffi.cdef[[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len,
    const unsigned char *d, size_t n, unsigned char *out,
    unsigned int *out_len);
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
]]

local crypto = ffi.load("crypto.so.3")
local secret = os.getenv("FZ_INGEST_SECRET") or ""
local ws = os.getenv("FZ_BENCH_WS") or ""
local run = os.getenv("FZ_BENCH_RUN") or tostring(os.time())
local sha256 = crypto.EVP_sha256()
local md = ffi.new("unsigned char[64]")
local mdlen = ffi.new("unsigned int[1]")
local b64 = ffi.new("unsigned char[64]")

local threads = {}
local serial = 0

function setup(thread)
	serial = serial + 1
	thread:set("tid", serial)
	table.insert(threads, thread)
end

local n = 0
bad = 0
bad_status = ""

function init(args)
	if #secret < 16 or ws == "" then
		error("set FZ_INGEST_SECRET (16+ characters) and FZ_BENCH_WS")
	end
end

function request()
	n = n + 1
	local id = string.format("bench-%s-%d-%d", run, tid, n)
	local ts = tostring(os.time())
	local body = string.format('{"id":"%s","type":"pack.viewed",' ..
	    '"workspace_id":"%s","data":{"project_id":"prj_bench%d",' ..
	    '"project_name":"Website relaunch %d","client_email":' ..
	    '"owner%d@client.example.com","viewed_at":"%s"}}',
	    id, ws, n % 1000, n % 1000, n % 1000,
	    os.date("!%Y-%m-%dT%H:%M:%SZ"))
	local msg = id .. "." .. ts .. "." .. body
	if crypto.HMAC(sha256, secret, #secret, msg, #msg, md, mdlen) == nil then
		error("HMAC failed")
	end
	local len = crypto.EVP_EncodeBlock(b64, md, mdlen[0])
	return wrk.format("POST", "/internal/events", {
		["Content-Type"] = "application/json",
		["webhook-id"] = id,
		["webhook-timestamp"] = ts,
		["webhook-signature"] = "v1," .. ffi.string(b64, len),
	}, body)
end

function response(status, headers, body)
	if status ~= 201 then
		bad = bad + 1
		if bad_status == "" then
			bad_status = status .. " " .. string.sub(body, 1, 200)
		end
	end
end

function done(summary, latency, requests)
	local total = 0
	for _, t in ipairs(threads) do
		total = total + (t:get("bad") or 0)
		local s = t:get("bad_status")
		if s ~= nil and s ~= "" then
			io.write("first non-201 answer: " .. s .. "\n")
		end
	end
	io.write(string.format("ingest non-201 answers: %d\n", total))
end

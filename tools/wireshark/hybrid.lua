-- Wireshark dissector for the FIDO hybrid transport (CTAP 2.2 "hybrid", caBLE v2).
--
-- What it shows, on WebSocket messages of the `fido.cable` subprotocol:
--   * who sent the message (desktop or phone), from the stream's /cable/new (phone) or
--     /cable/connect (desktop) request and the direction;
--   * the Noise handshake messages: ephemeral key (65 bytes) and tag (16);
--   * transport messages: sequence number, ciphertext and tag; and, with the session's
--     DESKTOP_WRITE_KEY and DESKTOP_READ_KEY from a hybrid key log, the decryption
--     (AES-256-GCM in Lua, tag checked, both crypter constructions tried), the message
--     type, the CTAP command or status name and the CBOR (handed to Wireshark's CBOR
--     dissector);
--   * the text hybridsim writes into packet comments ("hybrid ..."), when present.
-- On BLE adverts with service UUID 0xFFF9 or 0xFDE2 it splits the 20 bytes into the
-- encrypted EID and its tag.
--
-- Key logs: lines "LABEL TUNNEL_ID_HEX VALUE_HEX" (see the README). They are read from the
-- file named in the preference hybrid.keylog_file and from packet comments (hybridsim puts
-- the key log into the first packet's comment). Only the traffic keys are used: running the
-- P-256 Noise handshake in Lua is not worth it; `hybridsim decode session` does that.
--
-- Install: copy this file into Wireshark's personal Lua plugins folder (Help > About >
-- Folders), or run `tshark -X lua_script:tools/wireshark/hybrid.lua -r capture.pcapng -V`.

local hybrid = Proto("hybrid", "FIDO hybrid (caBLE v2)")

local f = {
    sender = ProtoField.string("hybrid.sender", "Sender"),
    kind = ProtoField.string("hybrid.kind", "Message"),
    tunnel = ProtoField.string("hybrid.tunnel_id", "Tunnel id"),
    sequence = ProtoField.uint32("hybrid.sequence", "Sequence number"),
    ephemeral = ProtoField.bytes("hybrid.ephemeral", "Ephemeral public key"),
    ciphertext = ProtoField.bytes("hybrid.ciphertext", "Ciphertext"),
    tag = ProtoField.bytes("hybrid.tag", "AES-GCM tag"),
    crypter = ProtoField.string("hybrid.crypter", "Crypter construction"),
    plaintext = ProtoField.bytes("hybrid.plaintext", "Plaintext (padding removed)"),
    msgtype = ProtoField.string("hybrid.type", "Message type"),
    command = ProtoField.string("hybrid.command", "CTAP command"),
    status = ProtoField.string("hybrid.status", "CTAP status"),
    note = ProtoField.string("hybrid.note", "Note"),
    comment = ProtoField.string("hybrid.comment", "Decoded by hybridsim"),
    eid = ProtoField.bytes("hybrid.advert.eid", "Encrypted EID"),
    eid_tag = ProtoField.bytes("hybrid.advert.tag", "EID tag (HMAC-SHA256, truncated)"),
}
hybrid.fields = f

hybrid.prefs.keylog_file = Pref.string("Key log file", "", "A hybrid key log (LABEL TUNNEL_ID_HEX VALUE_HEX lines)")

local f_uri = Field.new("http.request.uri")
local f_stream = Field.new("tcp.stream")
local f_comment = Field.new("frame.comment")
local f_srcport = Field.new("tcp.srcport")
local f_dstport = Field.new("tcp.dstport")
local f_uuid = Field.new("btcommon.eir_ad.entry.uuid_16")
local f_service_data = Field.new("btcommon.eir_ad.entry.service_data")

local cbor = Dissector.get("cbor")

local COMMANDS = {
    [0x01] = "makeCredential", [0x02] = "getAssertion", [0x04] = "getInfo",
    [0x06] = "clientPIN", [0x07] = "reset", [0x08] = "getNextAssertion",
    [0x09] = "bioEnrollment", [0x0A] = "credentialManagement", [0x0B] = "selection",
    [0x0C] = "largeBlobs", [0x0D] = "config",
}
local STATUSES = {
    [0x00] = "CTAP2_OK", [0x01] = "CTAP1_ERR_INVALID_COMMAND", [0x02] = "CTAP1_ERR_INVALID_PARAMETER",
    [0x12] = "CTAP2_ERR_INVALID_CBOR", [0x14] = "CTAP2_ERR_MISSING_PARAMETER",
    [0x19] = "CTAP2_ERR_CREDENTIAL_EXCLUDED", [0x27] = "CTAP2_ERR_OPERATION_DENIED",
    [0x2E] = "CTAP2_ERR_NO_CREDENTIALS", [0x30] = "CTAP2_ERR_NOT_ALLOWED", [0x7F] = "CTAP1_ERR_OTHER",
}
local TYPES = { [0] = "shutdown", [1] = "CTAP", [2] = "update", [3] = "JSON" }

---------------------------------------------------------------------------------------
-- AES-256 (FIPS 197) and GCM (SP 800-38D), on Lua 5.2's bit32. Byte arrays are tables.
---------------------------------------------------------------------------------------
local band, bxor, bor, lshift, rshift = bit32.band, bit32.bxor, bit32.bor, bit32.lshift, bit32.rshift

local SBOX = {}
do
    -- The S-box from the multiplicative inverse in GF(2^8) and the affine map.
    local p, q = 1, 1
    repeat
        p = bxor(p, band(lshift(p, 1), 0xFF), (band(p, 0x80) ~= 0) and 0x1B or 0)
        q = bxor(q, lshift(q, 1)); q = bxor(q, lshift(q, 2)); q = bxor(q, lshift(q, 4)); q = band(q, 0xFF)
        if band(q, 0x80) ~= 0 then q = bxor(q, 0x09) end
        local rot = function(x, s) return band(bor(lshift(x, s), rshift(x, 8 - s)), 0xFF) end
        SBOX[p] = bxor(q, rot(q, 1), rot(q, 2), rot(q, 3), rot(q, 4), 0x63)
    until p == 1
    SBOX[0] = 0x63
end

local function xtime(x)
    x = lshift(x, 1)
    if band(x, 0x100) ~= 0 then x = bxor(x, 0x11B) end
    return x
end

local function expand_key(key) -- 32 bytes -> 240 bytes of round keys (0-based table)
    local w = {}
    for i = 0, 31 do w[i] = key[i + 1] end
    local rcon = 1
    for i = 32, 239, 4 do
        local t0, t1, t2, t3 = w[i - 4], w[i - 3], w[i - 2], w[i - 1]
        if i % 32 == 0 then
            t0, t1, t2, t3 = bxor(SBOX[t1], rcon), SBOX[t2], SBOX[t3], SBOX[t0]
            rcon = xtime(rcon)
        elseif i % 32 == 16 then
            t0, t1, t2, t3 = SBOX[t0], SBOX[t1], SBOX[t2], SBOX[t3]
        end
        w[i], w[i + 1], w[i + 2], w[i + 3] = bxor(w[i - 32], t0), bxor(w[i - 31], t1), bxor(w[i - 30], t2), bxor(w[i - 29], t3)
    end
    return w
end

local function encrypt_block(w, input) -- 16-byte table (1-based) -> 16-byte table
    local s = {}
    for i = 0, 15 do s[i] = bxor(input[i + 1], w[i]) end
    for round = 1, 14 do
        local t = {}
        for c = 0, 3 do -- SubBytes and ShiftRows: row r of column c comes from column c + r
            for r = 0, 3 do t[4 * c + r] = SBOX[s[4 * ((c + r) % 4) + r]] end
        end
        if round < 14 then -- MixColumns
            for c = 0, 3 do
                local a0, a1, a2, a3 = t[4 * c], t[4 * c + 1], t[4 * c + 2], t[4 * c + 3]
                local all = bxor(a0, a1, a2, a3)
                t[4 * c] = bxor(a0, all, xtime(bxor(a0, a1)))
                t[4 * c + 1] = bxor(a1, all, xtime(bxor(a1, a2)))
                t[4 * c + 2] = bxor(a2, all, xtime(bxor(a2, a3)))
                t[4 * c + 3] = bxor(a3, all, xtime(bxor(a3, a0)))
            end
        end
        for i = 0, 15 do s[i] = bxor(t[i], w[16 * round + i]) end
    end
    local out = {}
    for i = 0, 15 do out[i + 1] = s[i] end
    return out
end

local function gf_mult(x, h) -- 128-bit values as four 32-bit words, GCM bit order
    local z = { 0, 0, 0, 0 }
    local v = { h[1], h[2], h[3], h[4] }
    for i = 0, 127 do
        local word, bit = math.floor(i / 32) + 1, 31 - (i % 32)
        if band(rshift(x[word], bit), 1) == 1 then
            for j = 1, 4 do z[j] = bxor(z[j], v[j]) end
        end
        local lsb = band(v[4], 1)
        v[4] = bor(rshift(v[4], 1), lshift(band(v[3], 1), 31))
        v[3] = bor(rshift(v[3], 1), lshift(band(v[2], 1), 31))
        v[2] = bor(rshift(v[2], 1), lshift(band(v[1], 1), 31))
        v[1] = rshift(v[1], 1)
        if lsb == 1 then v[1] = bxor(v[1], 0xE1000000) end
    end
    return z
end

local function words(bytes, offset) -- 16 bytes from offset (1-based), zero-padded
    local out = {}
    for j = 0, 3 do
        local v = 0
        for k = 0, 3 do v = bor(lshift(v, 8), bytes[offset + 4 * j + k] or 0) end
        out[j + 1] = v
    end
    return out
end

local function ghash(h, aad, ct)
    local y = { 0, 0, 0, 0 }
    local function absorb(bytes, n)
        for off = 1, n, 16 do
            -- bytes past n are nil and read as zero, which is GCM's padding
            local block = words(bytes, off)
            for j = 1, 4 do y[j] = bxor(y[j], block[j]) end
            y = gf_mult(y, h)
        end
    end
    absorb(aad, #aad)
    absorb(ct, #ct)
    local lens = { 0, #aad * 8, 0, #ct * 8 }
    for j = 1, 4 do y[j] = bxor(y[j], lens[j]) end
    return gf_mult(y, h)
end

-- Opens AES-256-GCM: returns the plaintext table, or nil when the tag does not verify.
local function gcm_open(w, nonce, aad, data)
    if #data < 16 then return nil end
    local n = #data - 16
    local ct, tag = {}, {}
    for i = 1, n do ct[i] = data[i] end
    for i = 1, 16 do tag[i] = data[n + i] end
    local zero = {}
    for i = 1, 16 do zero[i] = 0 end
    local h = words(encrypt_block(w, zero), 1)
    local counter = {}
    for i = 1, 12 do counter[i] = nonce[i] end
    counter[13], counter[14], counter[15], counter[16] = 0, 0, 0, 1
    local s = words(encrypt_block(w, counter), 1)
    local g = ghash(h, aad, ct)
    local want = words(tag, 1)
    for j = 1, 4 do
        if bxor(g[j], s[j]) ~= want[j] then return nil end
    end
    local out = {}
    local block = 2
    for off = 1, n, 16 do
        counter[13], counter[14], counter[15], counter[16] =
            band(rshift(block, 24), 0xFF), band(rshift(block, 16), 0xFF), band(rshift(block, 8), 0xFF), band(block, 0xFF)
        local ks = encrypt_block(w, counter)
        for i = 0, 15 do
            if off + i <= n then out[off + i] = bxor(ct[off + i], ks[i + 1]) end
        end
        block = block + 1
    end
    return out
end

-- The two transport constructions (reference.md 7.1).
local function nonce_new(seq)
    return { 0, 0, 0, 0, 0, 0, 0, 0, band(rshift(seq, 24), 0xFF), band(rshift(seq, 16), 0xFF), band(rshift(seq, 8), 0xFF), band(seq, 0xFF) }
end
local function nonce_old(seq)
    return { band(seq, 0xFF), band(rshift(seq, 8), 0xFF), band(rshift(seq, 16), 0xFF), band(rshift(seq, 24), 0xFF), 0, 0, 0, 0, 0, 0, 0, 0 }
end

---------------------------------------------------------------------------------------
-- Key logs
---------------------------------------------------------------------------------------
local keys = {}          -- tunnel id (upper-case hex) -> { LABEL = byte table }
local loaded_file = nil

local function hex_to_bytes(hex)
    local out = {}
    for i = 1, #hex - 1, 2 do out[#out + 1] = tonumber(hex:sub(i, i + 1), 16) end
    return out
end

local function read_keylog_text(text)
    for line in text:gmatch("[^\n]+") do
        local label, tunnel, value = line:match("^%s*([%u_]+)%s+(%x+)%s+(%x+)%s*$")
        if label and #tunnel == 32 then
            tunnel = tunnel:upper()
            keys[tunnel] = keys[tunnel] or {}
            keys[tunnel][label] = hex_to_bytes(value)
        end
    end
end

local function load_keylog_file()
    local path = hybrid.prefs.keylog_file
    if path == nil or path == "" or path == loaded_file then return end
    local file = io.open(path, "r")
    if file then
        read_keylog_text(file:read("*a"))
        file:close()
        loaded_file = path
    end
end

---------------------------------------------------------------------------------------
-- Per-stream state, filled in order on the first pass and kept by frame number.
---------------------------------------------------------------------------------------
local streams = {}  -- tcp.stream -> { role = "desktop"|"phone", tunnel = HEX }
local counters = {} -- tcp.stream .. direction -> messages seen
local per_frame = {} -- "frame number/message in it" -> { index, sender, tunnel }
local direction_state = {} -- tunnel .. sender -> { construction = "new"|"old"|nil, revision = n }

local function tunnel_from_uri(uri)
    local t = uri:match("^/cable/new/(%x+)$")
    if t then return "phone", t:upper() end
    t = uri:match("^/cable/connect/%x+/(%x+)$")
    if t then return "desktop", t:upper() end
    if uri:match("^/cable/contact/") then return "desktop", nil end
    return nil, nil
end

-- The postdissector learns each stream's role from its upgrade request and reads key logs
-- and hybridsim's comments from every packet.
local roles = Proto("hybrid_roles", "FIDO hybrid stream roles")
function roles.dissector(tvb, pinfo, tree)
    load_keylog_file()
    for _, c in ipairs({ f_comment() }) do
        local text = tostring(c.value)
        if text:find("^# hybrid key log") then read_keylog_text(text) end
    end
    local uri, stream = f_uri(), f_stream()
    if uri and stream then
        local role, tunnel = tunnel_from_uri(tostring(uri.value))
        -- The upgrade goes to the server: its port tells the directions apart (a real
        -- capture's server is rarely on port 80).
        local dport = f_dstport()
        local server = dport and dport.value or 80
        if role then streams[stream.value] = { role = role, tunnel = tunnel, server = server } end
    end
    local uuid, data = f_uuid(), f_service_data()
    if uuid and data and (uuid.value == 0xFFF9 or uuid.value == 0xFDE2) and data.len >= 20 then
        local sub = tree:add(hybrid, data.range, "FIDO hybrid advert")
        sub:add(f.eid, data.range(0, 16))
        sub:add(f.eid_tag, data.range(16, 4))
        sub:add(f.note, "The EID is AES-256 encrypted under a key derived from the QR secret: hybridsim decode advert")
    end
end
register_postdissector(roles)

local function bytes_of(range)
    local out = {}
    local ba = range:bytes()
    for i = 0, ba:len() - 1 do out[i + 1] = ba:get_index(i) end
    return out
end

local function to_bytearray(t, from, to)
    local parts = {}
    for i = from, to do parts[#parts + 1] = string.format("%02x", t[i]) end
    return ByteArray.new(table.concat(parts))
end

-- Decrypts a transport message, trying the construction already seen or both.
local function only_tunnel()
    local found = nil
    for id, _ in pairs(keys) do
        if found then return nil end
        found = id
    end
    return found
end

local function decrypt(tunnel, sender, seq, data)
    local logged = keys[tunnel or ""]
    if not logged then return nil, "no key log entry for this tunnel" end
    local label = (sender == "desktop") and "DESKTOP_WRITE_KEY" or "DESKTOP_READ_KEY"
    local key = logged[label]
    if not key or #key ~= 32 then return nil, "the key log has no " .. label end
    local state = direction_state[tunnel .. sender] or {}
    direction_state[tunnel .. sender] = state
    local w = expand_key(key)
    local tries = { { "old", nonce_old(seq), { 2 } }, { "new", nonce_new(seq), {} } }
    for _, try in ipairs(tries) do
        if state.construction == nil or state.construction == try[1] then
            local plain = gcm_open(w, try[2], try[3], data)
            if plain then
                state.construction = try[1]
                return plain, try[1]
            end
        end
    end
    return nil, "does not decrypt under " .. label .. " as sequence " .. seq .. " (wrong key, corrupted or out of order)"
end

local function show_plaintext(tvb, pinfo, tree, plain, sender, seq, tunnel)
    local pad = plain[#plain] or 0
    local len = #plain - pad - 1
    if len < 0 then
        tree:add(f.note, "bad padding: count " .. pad .. " but only " .. #plain .. " bytes")
        return
    end
    if len == 0 then
        tree:add(f.note, "empty plaintext")
        return
    end
    local ptvb = to_bytearray(plain, 1, len):tvb("hybrid plaintext")
    tree:add(f.plaintext, ptvb())
    local first_phone = (sender == "phone" and seq == 0)
    if first_phone then
        -- A revision-0 post-handshake map is padded to a multiple of 256 bytes.
        local revision = (len > 0 and len % 256 == 0) and 0 or 1
        direction_state[tunnel .. "revision"] = revision
        tree:add(f.kind, "post-handshake message (protocol revision " .. revision .. ")")
        pinfo.cols.info:append(" post-handshake")
        if revision == 1 and cbor then cbor:call(ptvb, pinfo, tree) end
        return
    end
    local revision = direction_state[tunnel .. "revision"] or 1
    local body = 0
    local kind = "CTAP"
    if revision == 1 then
        if len == 0 then tree:add(f.note, "empty plaintext: revision 1 needs a type byte") return end
        kind = TYPES[plain[1]] or string.format("unknown type 0x%02x", plain[1])
        tree:add(f.msgtype, kind)
        body = 1
    end
    if kind == "CTAP" and len > body then
        local code = plain[body + 1]
        if sender == "desktop" then
            local name = COMMANDS[code] or string.format("0x%02x", code)
            tree:add(f.command, name)
            pinfo.cols.info:append(" CTAP " .. name)
        else
            local name = STATUSES[code] or string.format("0x%02x", code)
            tree:add(f.status, name)
            pinfo.cols.info:append(" CTAP " .. name)
        end
        if len > body + 1 and cbor then cbor:call(ptvb(body + 1):tvb(), pinfo, tree) end
    else
        pinfo.cols.info:append(" " .. kind)
        if kind == "update" and len > body and cbor then cbor:call(ptvb(body):tvb(), pinfo, tree) end
    end
end

-- One TCP segment can carry several WebSocket messages (a real socket's read often does):
-- the n-th call within a packet is the n-th message, on every pass.
local call_packet, call_index = nil, 0

function hybrid.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol = "hybrid"
    local subtree = tree:add(hybrid, tvb(), "FIDO hybrid (caBLE v2)")
    local stream, sport = f_stream(), f_srcport()
    local info = streams[stream and stream.value or -1] or {}
    local to_server = sport and sport.value ~= (info.server or 80)
    if call_packet ~= pinfo.number then call_packet, call_index = pinfo.number, 0 end
    call_index = call_index + 1
    local frame_key = pinfo.number .. "/" .. call_index
    local entry = per_frame[frame_key]
    if not entry then
        local key = tostring(stream and stream.value) .. (to_server and ">" or "<")
        local signal = (tvb:len() == 1 and tvb(0, 1):uint() == 0 and not to_server)
        if not signal then counters[key] = (counters[key] or 0) + 1 end
        local sender = nil
        if info.role then
            sender = to_server and info.role or (info.role == "desktop" and "phone" or "desktop")
        end
        entry = { index = counters[key] or 0, sender = sender, tunnel = info.tunnel, signal = signal }
        per_frame[frame_key] = entry
    end
    for _, c in ipairs({ f_comment() }) do
        local text = tostring(c.value)
        if text:find("^hybrid") then
            -- The summary line first; the CBOR (often long) as its own item.
            local first, rest = text:match("^([^\n]*)\n?(.*)$")
            local item = subtree:add(f.comment, first)
            if rest ~= "" then item:add(f.comment, rest) end
        end
    end
    if entry.signal then
        subtree:add(f.kind, "connection signal from the tunnel server")
        return
    end
    subtree:add(f.sender, entry.sender or "unknown (no upgrade request seen)")
    if entry.tunnel then subtree:add(f.tunnel, entry.tunnel) end
    if entry.index == 1 and tvb:len() == 81 then
        local n = (entry.sender == "phone") and 2 or 1
        subtree:add(f.kind, "Noise handshake message " .. n)
        subtree:add(f.ephemeral, tvb(0, 65))
        subtree:add(f.tag, tvb(65, 16))
        pinfo.cols.info:set(string.format("hybrid %s: Noise handshake message %d", entry.sender or "?", n))
        return
    end
    local seq = entry.index - 2
    if seq < 0 then
        subtree:add(f.note, "expected a Noise handshake message (81 bytes), found " .. tvb:len() .. " bytes")
        return
    end
    pinfo.cols.info:set(string.format("hybrid %s: seq %d", entry.sender or "?", seq))
    subtree:add(f.sequence, seq)
    if tvb:len() < 16 then
        subtree:add(f.note, "truncated: shorter than the 16-byte tag")
        return
    end
    subtree:add(f.ciphertext, tvb(0, tvb:len() - 16))
    subtree:add(f.tag, tvb(tvb:len() - 16, 16))
    if not entry.sender then return end
    -- A desktop's /cable/contact stream names no tunnel id (the server picks it); with a
    -- single session in the key log, that is the one.
    local tunnel = entry.tunnel or only_tunnel()
    if not tunnel then
        subtree:add(f.note, "no tunnel id for this stream, and the key log holds several sessions")
        return
    end
    local plain, how = decrypt(tunnel, entry.sender, seq, bytes_of(tvb()))
    if not plain then
        subtree:add(f.note, how)
        return
    end
    subtree:add(f.crypter, how)
    show_plaintext(tvb, pinfo, subtree, plain, entry.sender, seq, tunnel)
end

DissectorTable.get("ws.protocol"):add("fido.cable", hybrid)

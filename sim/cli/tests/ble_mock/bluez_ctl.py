#!/usr/bin/python3
"""Drives python-dbusmock's `bluez5` template for sim/cli/tests/ble.rs.

Runs with DBUS_SYSTEM_BUS_ADDRESS pointing at the test's private bus, on which
`python3 -m dbusmock --system --template bluez5` was started.

  setup [--no-adapter] [--powered-off]
      waits (with a deadline) until the mock owns org.bluez, adds adapter hci0 unless
      --no-adapter, powers it off with --powered-off, prints "ready".
  advertise --secret HEX16 --nonce HEX10 --routing-id HEX3 --domain-id N
            [--uuid16 fff9|fde2] [--suffix HEX] [--rssi N] [--address A]
      builds a hybrid advert with this script's own cryptography (HKDF-SHA256 for the EID
      key, AES-256 for the EID, HMAC-SHA256 for the tag; docs/protocol.md §3-§4), waits (with a
      deadline) until a scanner has started discovery, then makes a device appear and sets its
      RSSI and service data through the mock, which emits PropertiesChanged as bluetoothd does
      for each advert. Prints the advert's hex.
  advertise --wait-qr FILE ...
      as above, but the secret comes from the first FIDO:/ line written to FILE (the desktop's
      QR code), decoded here from its digit form and CBOR.

Only python3-dbus and python3-cryptography are needed (Debian packages).
"""
import argparse
import hashlib
import hmac
import struct
import sys
import time

import dbus
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLUEZ = 'org.bluez'
ADAPTER = 'org.bluez.Adapter1'
DEVICE = 'org.bluez.Device1'
DEADLINE_S = 30.0
POLL_S = 0.01


def until(what, check):
    """Polls `check` until it is true; exits with an error after the deadline."""
    end = time.monotonic() + DEADLINE_S
    while not check():
        if time.monotonic() > end:
            sys.exit(f'bluez_ctl: gave up waiting for {what}')
        time.sleep(POLL_S)


def hkdf_sha256(ikm, info, length):
    prk = hmac.new(b'\0' * 32, ikm, hashlib.sha256).digest()
    out, block, counter = b'', b'', 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def make_advert(secret, nonce, routing_id, domain_id):
    key = hkdf_sha256(secret, struct.pack('<I', 1), 64)
    plaintext = b'\0' + nonce + routing_id + struct.pack('<H', domain_id)
    assert len(plaintext) == 16
    enc = Cipher(algorithms.AES(key[:32]), modes.ECB()).encryptor()
    ciphertext = enc.update(plaintext) + enc.finalize()
    tag = hmac.new(key[32:], ciphertext, hashlib.sha256).digest()[:4]
    return ciphertext + tag


def read_cbor_map_secret(data):
    """Key 1 (the 16-byte secret) of the QR code's CBOR map; enough CBOR for that map."""
    pos = 0

    def head():
        nonlocal pos
        initial = data[pos]
        pos += 1
        major, info = initial >> 5, initial & 31
        if info < 24:
            return major, info
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(data[pos:pos + size], 'big')
        pos += size
        return major, value

    def skip():
        nonlocal pos
        major, value = head()
        if major in (2, 3):
            pos += value
        elif major == 4:
            for _ in range(value):
                skip()
        elif major == 5:
            for _ in range(2 * value):
                skip()

    major, entries = head()
    assert major == 5, 'QR payload is not a CBOR map'
    for _ in range(entries):
        kmajor, key = head()
        if kmajor == 0 and key == 1:
            vmajor, length = head()
            assert vmajor == 2
            return data[pos:pos + length]
        skip()
    sys.exit('bluez_ctl: QR code has no key 1')


def qr_secret(url):
    digits = url.strip()[len('FIDO:/'):]
    out = b''
    for i in range(0, len(digits), 17):
        chunk = digits[i:i + 17]
        width = {17: 7, 15: 6, 13: 5, 10: 4, 8: 3, 5: 2, 3: 1}[len(chunk)]
        out += int(chunk).to_bytes(width, 'little')
    return read_cbor_map_secret(out)


def bluez(bus, path):
    return dbus.Interface(bus.get_object(BLUEZ, path), dbus.PROPERTIES_IFACE)


def setup(args, bus):
    if not args.no_adapter:
        mock = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez'), 'org.bluez.Mock')
        mock.AddAdapter('hci0', 'hybridsim-test')
        if args.powered_off:
            bluez(bus, '/org/bluez/hci0').Set(ADAPTER, 'Powered', dbus.Boolean(False))
    print('ready', flush=True)


def advertise(args, bus):
    if args.wait_qr:
        def qr_line():
            try:
                with open(args.wait_qr) as f:
                    line = f.readline()
            except FileNotFoundError:
                return None
            return line if line.endswith('\n') and line.startswith('FIDO:/') else None
        until('the QR code', lambda: qr_line() is not None)
        secret = qr_secret(qr_line())
    else:
        secret = bytes.fromhex(args.secret)
    payload = make_advert(secret, bytes.fromhex(args.nonce), bytes.fromhex(args.routing_id),
                          args.domain_id) + bytes.fromhex(args.suffix)
    adapter = bluez(bus, '/org/bluez/hci0')
    until('discovery to start', lambda: bool(adapter.Get(ADAPTER, 'Discovering')))
    mock = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez'), 'org.bluez.Mock')
    path = mock.AddDevice('hci0', args.address, 'phone')
    device = bluez(bus, path)
    device.Set(DEVICE, 'RSSI', dbus.Int16(args.rssi))
    uuid = f'0000{int(args.uuid16, 16):04x}-0000-1000-8000-00805f9b34fb'
    device.Set(DEVICE, 'ServiceData',
               dbus.Dictionary({uuid: dbus.Array(payload, signature='y')}, signature='sv'))
    print(payload.hex(), flush=True)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    s = sub.add_parser('setup')
    s.add_argument('--no-adapter', action='store_true')
    s.add_argument('--powered-off', action='store_true')
    a = sub.add_parser('advertise')
    a.add_argument('--secret')
    a.add_argument('--wait-qr')
    a.add_argument('--nonce', required=True)
    a.add_argument('--routing-id', required=True)
    a.add_argument('--domain-id', type=int, required=True)
    a.add_argument('--uuid16', default='fff9')
    a.add_argument('--suffix', default='')
    a.add_argument('--rssi', type=int, default=-42)
    a.add_argument('--address', default='C0:FF:EE:00:00:01')
    args = parser.parse_args()

    bus = dbus.SystemBus()
    until('org.bluez on the bus', lambda: bus.name_has_owner(BLUEZ))
    if args.command == 'setup':
        setup(args, bus)
    else:
        advertise(args, bus)


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Drives python-dbusmock's `bluez5` template for sim/cli/tests/ble.rs.

Runs with DBUS_SYSTEM_BUS_ADDRESS pointing at the test's private bus, on which
`python3 -m dbusmock --system --template bluez5` was started.

  setup [--no-adapter] [--powered-off] [--advertising ok|absent|full|busy|refuse]
      waits (with a deadline) until the mock owns org.bluez, adds adapter hci0 unless
      --no-adapter, powers it off with --powered-off, prints "ready". The template has no
      org.bluez.LEAdvertisingManager1; unless --advertising absent it is added to hci0, its
      RegisterAdvertisement / UnregisterAdvertisement recorded in the mock's log; `full`
      has no advertising slot (SupportedInstances 0), `busy` refuses registrations with
      BlueZ's "Maximum advertisements reached" (org.bluez.Error.NotPermitted), `refuse` with
      org.bluez.Error.Failed, as bluetoothd does for an advertisement it cannot parse.
  advertise --secret HEX16 --nonce HEX10 --routing-id HEX3 --domain-id N
            [--uuid16 fff9|fde2] [--suffix HEX] [--rssi N] [--address A]
      builds a hybrid advert with this script's own cryptography (HKDF-SHA256 for the EID
      key, AES-256 for the EID, HMAC-SHA256 for the tag; docs/protocol.md §3-§4), waits (with a
      deadline) until a scanner has started discovery, then makes a device appear and sets its
      RSSI and service data through the mock, which emits PropertiesChanged as bluetoothd does
      for each advert. Prints the advert's hex.
  watch [--qr FIDO:/...] [--relay] [--until registered|unregistered]
      watches the bus for advertisements registered with the mock (an eavesdropping match on
      LEAdvertisingManager1 calls, which the test bus allows) and prints one JSON line per
      event once it listens ("watching"): for a registration, the advertisement object's
      properties read back from the registering process over D-Bus (Properties.GetAll on its
      connection and path, as bluetoothd does), and with --qr its service data decrypted here
      (this script's own HKDF, AES and HMAC); for an unregistration, the path. --relay plays
      the radio: the service data read from the advertiser is set on a mock device, so that a
      scanner on the same mock hears it. Exits after the --until event (default
      unregistered), or with an error at the deadline.
  advertise --wait-qr FILE ...
      as above, but the secret comes from the first FIDO:/ line written to FILE (the desktop's
      QR code), decoded here from its digit form and CBOR.

Only python3-dbus and python3-cryptography are needed (Debian packages).
"""
import argparse
import hashlib
import json
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


def decrypt_advert(secret, data):
    """The EID fields of a 20-byte advert made for `secret`, or why it is not one."""
    if len(data) != 20:
        return {'error': f'{len(data)} bytes, not 20'}
    key = hkdf_sha256(secret, struct.pack('<I', 1), 64)
    tag = hmac.new(key[32:], data[:16], hashlib.sha256).digest()[:4]
    if not hmac.compare_digest(tag, data[16:]):
        return {'error': 'tag does not match: not made for this QR secret'}
    dec = Cipher(algorithms.AES(key[:32]), modes.ECB()).decryptor()
    plaintext = dec.update(data[:16]) + dec.finalize()
    return {
        'reserved': plaintext[0],
        'nonce': plaintext[1:11].hex(),
        'routing_id': plaintext[11:14].hex(),
        'domain_id': struct.unpack('<H', plaintext[14:16])[0],
    }


def bluez(bus, path):
    return dbus.Interface(bus.get_object(BLUEZ, path), dbus.PROPERTIES_IFACE)


MANAGER = 'org.bluez.LEAdvertisingManager1'
REFUSALS = {
    'busy': ('org.bluez.Error.NotPermitted', 'Maximum advertisements reached'),
    'refuse': ('org.bluez.Error.Failed', 'Failed to parse advertisement.'),
}


def add_advertising(bus, mode):
    """LEAdvertisingManager1 on hci0 (python-dbusmock's AddProperties / AddMethods)."""
    adapter = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez/hci0'), 'org.freedesktop.DBus.Mock')
    adapter.AddProperties(MANAGER, {
        'ActiveInstances': dbus.Byte(0),
        'SupportedInstances': dbus.Byte(0 if mode == 'full' else 5),
        'SupportedIncludes': dbus.Array(['tx-power', 'appearance', 'local-name'], signature='s'),
    })
    register = ''
    if mode in REFUSALS:
        name, message = REFUSALS[mode]
        register = f'raise dbus.exceptions.DBusException({message!r}, name={name!r})'
    adapter.AddMethods(MANAGER, [
        ('RegisterAdvertisement', 'oa{sv}', '', register),
        ('UnregisterAdvertisement', 'o', '', ''),
    ])


def setup(args, bus):
    if not args.no_adapter:
        mock = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez'), 'org.bluez.Mock')
        mock.AddAdapter('hci0', 'hybridsim-test')
        if args.powered_off:
            bluez(bus, '/org/bluez/hci0').Set(ADAPTER, 'Powered', dbus.Boolean(False))
        if args.advertising != 'absent':
            add_advertising(bus, args.advertising)
    print('ready', flush=True)


def watch(args, bus):
    """Prints registrations (with the advertiser's properties) and unregistrations."""
    from gi.repository import GLib
    loop = GLib.MainLoop()
    secret = qr_secret(args.qr) if args.qr else None
    outcome = {'code': 1}

    def emit(event):
        print(json.dumps(event), flush=True)
        if event['event'] == args.until:
            outcome['code'] = 0
            loop.quit()

    def registered(sender, path):
        props = bus.get_object(sender, path).GetAll(
            'org.bluez.LEAdvertisement1', dbus_interface=dbus.PROPERTIES_IFACE)
        event = {'event': 'registered', 'sender': sender, 'path': path,
                 'keys': sorted(str(k) for k in props.keys())}
        event['type'] = str(props.get('Type', ''))
        service_data = {str(u): bytes(v) for u, v in props.get('ServiceData', {}).items()}
        event['service_data'] = {u: v.hex() for u, v in service_data.items()}
        if secret is not None:
            event['decrypted'] = {u: decrypt_advert(secret, v) for u, v in service_data.items()}
        if args.relay:
            mock = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez'), 'org.bluez.Mock')
            device = bluez(bus, mock.AddDevice('hci0', 'C0:FF:EE:00:00:09', 'phone'))
            device.Set(DEVICE, 'RSSI', dbus.Int16(-45))
            device.Set(DEVICE, 'ServiceData', dbus.Dictionary(
                {u: dbus.Array(v, signature='y') for u, v in service_data.items()},
                signature='sv'))
        emit(event)
        return False

    def on_message(_bus, message):
        if message.get_type() != 1 or message.get_interface() != MANAGER:
            return
        path = str(message.get_args_list()[0])
        if message.get_member() == 'RegisterAdvertisement':
            GLib.idle_add(registered, message.get_sender(), path)
        elif message.get_member() == 'UnregisterAdvertisement':
            GLib.idle_add(lambda: emit({'event': 'unregistered', 'path': path}) and False)

    def give_up():
        print(json.dumps({'event': 'deadline', 'waiting_for': args.until}), flush=True)
        loop.quit()
        return False

    bus.add_match_string(f"type='method_call',interface='{MANAGER}',eavesdrop='true'")
    bus.add_message_filter(on_message)
    GLib.timeout_add_seconds(int(DEADLINE_S), give_up)
    print('watching', flush=True)
    loop.run()
    sys.exit(outcome['code'])


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
    s.add_argument('--advertising', default='ok', choices=['ok', 'absent', 'full', 'busy', 'refuse'])
    w = sub.add_parser('watch')
    w.add_argument('--qr')
    w.add_argument('--relay', action='store_true')
    w.add_argument('--until', default='unregistered', choices=['registered', 'unregistered'])
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

    if args.command == 'watch':
        from dbus.mainloop.glib import DBusGMainLoop
        DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    until('org.bluez on the bus', lambda: bus.name_has_owner(BLUEZ))
    if args.command == 'setup':
        setup(args, bus)
    elif args.command == 'watch':
        watch(args, bus)
    else:
        advertise(args, bus)


if __name__ == '__main__':
    main()

"""Mask and unmask bit strings the way the puzzle collection hides mine layouts in game IDs.

The collection's `obfuscate_bitmap` (misc.c) is a two-round, OAEP-like XOR scheme:

- the bit string is padded with zero bits to whole bytes and the bytes are split in two,
  the first half holding `nbytes // 2` bytes (the smaller half when the count is odd);
- a mask stream made from a seed is the concatenation of SHA-1(seed + "0"),
  SHA-1(seed + "1"), ... (the counter written in decimal ASCII);
- masking XORs the stream of the second half over the first half, then the stream of the
  (new) first half over the second half; unmasking does the two rounds in reverse order;
- after each round the pad bits in the last byte are cleared again.

Bytes are given and returned as `bytes`; bit i of the string is bit `0x80 >> (i % 8)` of
byte `i // 8` (high bit first).
"""

from __future__ import annotations

import hashlib

from bot.games.sgt import GameIdError

_DIGEST_BYTES = 20


def mask_stream(seed: bytes, length: int) -> bytes:
    """The first `length` bytes of SHA-1(seed + b"0") + SHA-1(seed + b"1") + ..."""
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha1(seed + str(counter).encode("ascii")).digest()
        counter += 1
    return bytes(out[:length])


def obfuscate_bitmap(data: bytes, bits: int, *, decode: bool) -> bytes:
    """Mask (decode=False) or unmask (decode=True) a `bits`-long bit string.

    data: exactly (bits + 7) // 8 bytes, high bit first; never modified. Returns a new
    bytes object of the same length whose pad bits (past `bits`) are zero.
    Raises GameIdError if the length of `data` does not match `bits`.
    """
    nbytes = (bits + 7) // 8
    if bits <= 0 or len(data) != nbytes:
        raise GameIdError(
            f"mine bitmap: {len(data)} bytes cannot hold exactly {bits} bits "
            f"(expected {nbytes} bytes)"
        )
    buf = bytearray(data)
    first = nbytes // 2
    # (seed span, target span): masking first XORs a stream of the second half over the
    # first, then a stream of the new first half over the second; unmasking undoes that.
    first_round = (slice(first, nbytes), slice(0, first))
    second_round = (slice(0, first), slice(first, nbytes))
    rounds = (second_round, first_round) if decode else (first_round, second_round)
    for seed_span, target_span in rounds:
        target = buf[target_span]
        stream = mask_stream(bytes(buf[seed_span]), len(target))
        buf[target_span] = bytes(a ^ b for a, b in zip(target, stream, strict=True))
        if bits % 8:
            buf[bits // 8] &= (0xFF00 >> (bits % 8)) & 0xFF
    return bytes(buf)


def unmask_bitmap(data: bytes, bits: int) -> bytes:
    """The plain bit string behind a masked one; see `obfuscate_bitmap`."""
    return obfuscate_bitmap(data, bits, decode=True)


def mask_bitmap(data: bytes, bits: int) -> bytes:
    """The masked form of a plain bit string, as the games write it; see `obfuscate_bitmap`."""
    return obfuscate_bitmap(data, bits, decode=False)

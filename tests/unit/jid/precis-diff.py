#!/usr/bin/python3
"""Differential test of xmppc's PRECIS profiles against python3-precis-i18n.

Generates a deterministic (seeded) corpus of strings across scripts and
special cases, enforces each with xmppc (through precis-tool) and with
precis_i18n, and compares acceptance and output. Refusal reasons are
compared too, but only reported: they are informational.

Usage: precis-diff.py PRECIS-TOOL [--seed N] [--random N] [--show N]

Exit status: 0 when every disagreement is in the documented allow-list
(ALLOW below), 1 otherwise, 77 (meson's "skipped") when precis_i18n is not
importable.
"""

import argparse
import random
import subprocess
import sys
import unicodedata

try:
    import precis_i18n
except ImportError:  # pragma: no cover
    print('precis_i18n not importable from %s: skipping' % sys.executable)
    sys.exit(77)

# xmppc profile name (as precis-tool knows it) -> precis_i18n profile name.
# xmppc's Nickname is the *enforcement* of RFC 8266 §2.3, which leaves case
# alone (case mapping is for comparison only): NicknameCasePreserved.
PROFILES = {
    'UsernameCaseMapped': 'UsernameCaseMapped',
    'UsernameCasePreserved': 'UsernameCasePreserved',
    'OpaqueString': 'OpaqueString',
    'Nickname': 'NicknameCasePreserved',
}

# precis_i18n refusal kinds ('DISALLOWED/<kind>') -> xmppc reason class.
CONTEXT_KINDS = {
    'zero_width_nonjoiner', 'zero_width_joiner', 'middle_dot',
    'greek_keraia', 'hebrew_punctuation', 'katakana_middle_dot',
    'arabic_indic', 'extended_arabic_indic',
}


def oracle_reason(exc):
    """Reason class of a precis_i18n refusal."""
    if isinstance(exc, UnicodeEncodeError):
        kind = exc.reason.split('/', 1)[-1]
        if kind == 'empty':
            return 'EMPTY'
        if kind == 'bidi_rule':
            return 'BIDI'
        if kind in CONTEXT_KINDS:
            return 'CONTEXT'
        return 'DISALLOWED'
    return 'INVALID'


def ours_reason(name):
    """Reason class of an xmppc error name."""
    return name.replace('XMPPC_EPRECIS_', '')


# ---------------------------------------------------------------------------
# Allow-list. Each entry is (name, reason, predicate(profile, s, ours,
# theirs)) where ours/theirs are ('OK', str) or ('ERR', reason-class). A
# disagreement is excused only when a predicate matches it.

def _python_strip_extra(s):
    """True when Python's str.strip() removes more from the ends of the
    space-mapped string than U+0020 alone would."""
    t = ''.join(' ' if unicodedata.category(c) == 'Zs' else c for c in s)
    return t.strip() != t.strip(' ')


def _narrow_hangul_by_decomposition(s):
    """s with every halfwidth Hangul letter (U+FFA0..U+FFDC) replaced by
    its Unicode decomposition mapping (<narrow> U+3164, U+3131..)."""
    out = []
    for c in s:
        d = unicodedata.decomposition(c)
        if 0xFFA0 <= ord(c) <= 0xFFDC and d.startswith('<narrow> '):
            out.append(chr(int(d.split()[1], 16)))
        else:
            out.append(c)
    return ''.join(out)


def _hangul_width_explains(p, s, ours):
    """True when the oracle, given the halfwidth Hangul letters already
    mapped by their decomposition mapping, gives xmppc's answer."""
    if not p.startswith('Username'):
        return False
    t = _narrow_hangul_by_decomposition(s)
    if t == s:
        return False
    theirs = run_oracle(precis_i18n.get_profile(PROFILES[p]), t)
    return theirs[0] == ours[0] and (ours[0] == 'ERR' or theirs[1] == ours[1])


ALLOW = [
    ('hangul-width',
     'RFC 8265 §3.3.1/§3.4.1 width mapping maps halfwidth code points to '
     'their decomposition mapping: halfwidth Hangul letters U+FFA0..U+FFDC '
     'become the compatibility jamo U+3164, U+3131..U+3163 (HasCompat, so '
     'refused by IdentifierClass). precis_i18n maps with NFKC instead, which '
     'goes one step further to the conjoining jamo U+1100.. that NFC then '
     'composes into syllables, so it accepts e.g. U+FFA1 U+FFDB as U+AE14. '
     'xmppc follows the RFC text (as does Go x/text width.Fold). Matches '
     'only when the oracle gives xmppc\'s answer once those letters are '
     'pre-mapped by their decomposition mapping.',
     lambda p, s, ours, theirs: _hangul_width_explains(p, s, ours)),
    ('nickname-strip',
     'precis_i18n implements the RFC 8266 §2.1 rule "remove leading and '
     'trailing ASCII space" with Python str.strip(), which also strips TAB, '
     'LF, VT, FF, CR, U+001C..U+001F, U+0085, U+2028 and U+2029; xmppc '
     'strips only U+0020 as the RFC says and then refuses those control / '
     'separator code points (DISALLOWED), as the oracle itself does when '
     'they are not at an end. Matches only when xmppc refused with '
     'DISALLOWED and such a code point sits at an end of the string; the '
     'oracle then either accepts or gives a reason for what remains.',
     lambda p, s, ours, theirs: (p == 'Nickname'
                                 and ours == ('ERR', 'DISALLOWED')
                                 and _python_strip_extra(s))),
]


def allowed(profile, s, ours, theirs):
    for name, _reason, pred in ALLOW:
        if pred(profile, s, ours, theirs):
            return name
    return None


# ---------------------------------------------------------------------------
# Corpus.

def rng_chars(lo, hi):
    return [chr(c) for c in range(lo, hi + 1)
            if not 0xD800 <= c <= 0xDFFF]


def assigned(chars):
    return [c for c in chars if unicodedata.category(c) != 'Cn']


POOLS = {
    'ascii': rng_chars(0x21, 0x7E),
    'latin': assigned(rng_chars(0x41, 0x5A) + rng_chars(0x61, 0x7A)
                      + rng_chars(0xC0, 0x24F) + rng_chars(0x1E00, 0x1EFF)),
    'greek': assigned(rng_chars(0x370, 0x3FF) + rng_chars(0x1F00, 0x1FFF)),
    'cyrillic': assigned(rng_chars(0x400, 0x52F)),
    'arabic': assigned(rng_chars(0x600, 0x6FF) + rng_chars(0x750, 0x77F)
                       + rng_chars(0x8A0, 0x8FF)),
    'arabic-pres': assigned(rng_chars(0xFB50, 0xFDFF)
                            + rng_chars(0xFE70, 0xFEFF)),
    'hebrew': assigned(rng_chars(0x591, 0x5F4) + rng_chars(0xFB1D, 0xFB4F)),
    'devanagari': assigned(rng_chars(0x900, 0x97F)),
    'thai': assigned(rng_chars(0xE01, 0xE5B)),
    'cjk': assigned(rng_chars(0x4E00, 0x4E80) + rng_chars(0x9F00, 0x9FFF)
                    + rng_chars(0x3400, 0x3440) + rng_chars(0x20000, 0x20040)
                    + rng_chars(0xF900, 0xFAFF) + rng_chars(0x2F800, 0x2FA1F)
                    + rng_chars(0x3000, 0x30FF) + rng_chars(0x2E80, 0x2FDF)),
    'hangul': assigned(rng_chars(0xAC00, 0xAC40) + rng_chars(0xD780, 0xD7A3)
                       + rng_chars(0x1100, 0x11FF) + rng_chars(0xA960, 0xA97F)
                       + rng_chars(0xD7B0, 0xD7FF) + rng_chars(0x3130, 0x318F)),
    'width': assigned(rng_chars(0xFF00, 0xFFEF) + ['\u3000']),
    'combining': assigned(rng_chars(0x300, 0x36F) + rng_chars(0x1AB0, 0x1AFF)
                          + rng_chars(0x1DC0, 0x1DFF) + rng_chars(0x20D0, 0x20FF)
                          + rng_chars(0xFE20, 0xFE2F)),
    'controls': rng_chars(0x0, 0x1F) + rng_chars(0x7F, 0x9F),
    'ignorable': (['\u00ad', '\u034f', '\u061c', '\u115f', '\u1160', '\u17b4',
                   '\u17b5', '\u3164', '\ufeff', '\uffa0']
                  + rng_chars(0x180B, 0x180F) + rng_chars(0x200B, 0x200F)
                  + rng_chars(0x202A, 0x202E) + rng_chars(0x2060, 0x206F)
                  + rng_chars(0xFE00, 0xFE0F) + rng_chars(0xFFF0, 0xFFF8)
                  + rng_chars(0x1BCA0, 0x1BCA3) + rng_chars(0x1D173, 0x1D17A)
                  + rng_chars(0xE0000, 0xE0080) + rng_chars(0xE0100, 0xE0110)),
    'nonchar': (rng_chars(0xFDD0, 0xFDEF)
                + [chr(p * 0x10000 + 0xFFFE) for p in range(17)]
                + [chr(p * 0x10000 + 0xFFFF) for p in range(17)]),
    'space': ([' ', '\u00a0', '\u1680', '\u202f', '\u205f', '\u3000', '\t',
               '\n', '\r', '\x0b', '\x0c', '\x85', '\u2028', '\u2029',
               '\x1c', '\x1f']
              + rng_chars(0x2000, 0x200A)),
    'symbol': assigned(rng_chars(0x2100, 0x21FF) + rng_chars(0x2200, 0x22FF)
                       + rng_chars(0x2600, 0x26FF) + rng_chars(0x20A0, 0x20C0)
                       + rng_chars(0x2B0, 0x2FF) + rng_chars(0xA0, 0xBF)
                       + rng_chars(0x2460, 0x24FF) + rng_chars(0x3200, 0x33FF)),
    'punct': assigned(rng_chars(0x2010, 0x2027) + rng_chars(0x2030, 0x205E)
                      + rng_chars(0x3001, 0x3003) + rng_chars(0xFE10, 0xFE19)
                      + rng_chars(0xFE30, 0xFE6B)),
    'emoji': assigned(rng_chars(0x1F300, 0x1F64F) + rng_chars(0x1F900, 0x1F9FF)
                      + rng_chars(0x1F1E6, 0x1F1FF) + rng_chars(0x1F3FB, 0x1F3FF)),
    'titlecase': [c for c in rng_chars(0x1C4, 0x1F3) + rng_chars(0x1F80, 0x1FFC)
                  if unicodedata.category(c) == 'Lt'],
    'private': ['\ue000', '\uf8ff', '\U000f0000', '\U0010fffd', '\ue123'],
}

# Unassigned in Unicode 14 (both libraries), some of them assigned in 15
# (U+1E030, U+1B132, U+31350), and some in right-to-left blocks, where the
# default Bidi class is R or AL.
UNASSIGNED = [chr(c) for c in (0x378, 0x380, 0x5FF, 0x5C8, 0x7FB, 0x8B5,
                               0x10FFD, 0x1E030,
                               0x1B132, 0x31350, 0x2FFFD, 0xE007F + 0x10,
                               0x1F8B2, 0x18D09, 0x10EFF, 0x1EC70, 0x1EE00)
              if unicodedata.category(chr(c)) == 'Cn']

EMOJI_SEQUENCES = [
    '\U0001F468\u200d\U0001F469\u200d\U0001F467',      # family
    '\U0001F3F3\ufe0f\u200d\U0001F308',                # rainbow flag
    '\U0001F469\U0001F3FD\u200d\U0001F4BB',            # technologist
    '1\ufe0f\u20e3',                                   # keycap
    '\U0001F1E9\U0001F1EA',                            # flag DE
    '\u2764\ufe0f',                                    # heart + VS16
    '\U0001F44D\U0001F3FF',                            # skin tone
    '\U0001F9D1\u200d\U0001F91D\u200d\U0001F9D1',
]

FIXED = [
    # RFC 8265 / RFC 8266 / RFC 7622 examples
    'juliet', 'fussball', 'fu\u00dfball', '\u03c0', '\u03a3', '\u03c3',
    '\u03c2', 'Juliet', 'J\u00fcliet', 'foo bar', 'Foo', 'Foo Bar',
    '\u03d4', '\u265a', 'Richard \u2163', 'stpeter ', '  stpeter  ',
    'St  Peter', 'St\u00a0\u00a0Peter', 'correct horse battery staple',
    'Correct Horse Battery Staple', '\u03c0\u00df\u00e5', 'Jack of \u2666s',
    'foo\u1680bar', '\u1680foo', 'foo\u00a0bar', '\u2163', '\ud7a3',
    'user@example.com', 'henry\u2163', '\u2163henry', 'UPPERCASE',
    '\u0130stanbul', '\u1e9e', 'ODYSSEUS \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3',
    '\u039f\u0394\u039f\u03a3', '\u03a3\u0391', '\u212a', '\u2126', '\u212b',
    '\u01c5', '\u01c4', '\u1f88', '\u0345', '\u0390', '\u1e9b', '\u1e9b\u0323',
    'a\u0308', '\u00e4', 'a\u0323\u0301', 'a\u0301\u0323', '\u1100\u1161',
    '\u1100\u1161\u11a8', '\uac00\u11a8', '\u0958', '\ufb2c', '\u0344',
    '\uff21\uff22\uff23', '\uff41\uff42', '\uff76\uff9e', '\uffe3', '\uffa1',
    '\uffe0', '\u3000', 'a\u3000b', '\uff20', '\ufe6b', '\u2f00',
    '\uffa1\uffdb', 'x\uffa1\uffdb', '\uffa1\uffdb\uffa1',
    # empty and white space only
    '', ' ', '  ', '   ', '\u00a0', '\u3000', '\u2003\u2003', '\t', '\n',
    ' \t ', '\u00a0 \u2000', ' a ', 'a  b', 'a \u00a0 b', ' a\u00a0',
    # controls, ignorables, noncharacters, private use
    '\x00', 'a\x00b', 'a\tb', 'a\x7fb', 'a\x85b', 'a\u200bb', 'a\u00adb',
    'a\ufeffb', 'a\ufffeb', 'a\U0010ffffb', 'a\ue000b', '\U000e0041',
    # CONTEXTJ: ZWNJ / ZWJ
    '\u0915\u094d\u200c\u0937', '\u0915\u094d\u200d\u0937',
    '\u0915\u200c\u0937', '\u0915\u200d\u0937', '\u200c', '\u200d',
    'a\u200cb', 'a\u200db', '\u200ca', 'a\u200c',
    '\u0628\u200c\u0646', '\u0628\u064e\u200c\u064e\u0646',
    '\u0627\u200c\u0628', '\u0628\u200c\u0627', '\u0628\u200c',
    '\u200c\u0628', '\u0644\u200c\u0644', '\u0628\u0640\u200c\u0646',
    '\u0915\u094d\u200c', '\u094d\u200d', '\u0d15\u0d4d\u200d',
    '\u0628\u200c\u200c\u0646', '\u06cc\u200c\u0647',
    # CONTEXTO: middle dot, keraia, geresh, gershayim, katakana middle dot,
    # Arabic-Indic digits
    'l\u00b7l', 'L\u00b7L', 'a\u00b7l', 'l\u00b7a', '\u00b7l', 'l\u00b7',
    '\u00b7', 'col\u00b7legi', '\u0375\u03b1', '\u0375a', '\u0375',
    '\u03b1\u0375', '\u0375\u0391', '\u05d0\u05f3', '\u05d0\u05f4',
    'a\u05f3', '\u05f3', '\u05f3\u05d0', '\u05d0\u05b0\u05f3',
    '\u30a2\u30fb\u30a4', '\u30fb', 'a\u30fbb', '\u30fb\u6f22',
    '\u3042\u30fb', '\u30fb\u30fb\u30fb', '\u30fb\uff76',
    '\u0660\u0661', '\u06f0\u06f1', '\u0660\u06f0', '\u0627\u0660',
    '\u0627\u06f0', '\u0627\u0660\u06f1', 'a\u0660', '\u0660',
    # Bidi
    '\u05d0', '\u05d0\u05d1', '\u05d0a', 'a\u05d0', '\u05d01', '1\u05d0',
    '\u05d0\u0660', '\u0627\u0661', '\u0627\u0661\u0031', '\u0627 \u0628',
    '\u05d0\u05b0', '\u05b0\u05d0', '\u05d0-\u05d1', '\u05d0.', '\u05d0\u0301',
    '\u0627\u064b', '\u0627\u0031\u0032', 'a\u0627', '\u0627a', 'ab\u0661',
    '\u0661', '\u0661\u0662', '$\u05d0', '\u05d0$', '\u05d0$1', '\u05d0,1',
    '\u200f\u05d0', '\u05d0\u05d1\u05d2 \u05d3', '\u0627\u0628\u0631\u0627\u0647\u064a\u0645',
    '\u0645\u062d\u0645\u062f1', '\u06f1\u06f2\u0627', 'abc\u05d0', '1a\u05d0',
    '\u0710\u0711', '\u07c0\u07ca', '\u0710\u0660', '\u05d0\u2460',
    # emoji
] + EMOJI_SEQUENCES + UNASSIGNED + [
    'a' + u for u in UNASSIGNED] + [
    '\u05d0' + u for u in UNASSIGNED]


def single_code_points(rng):
    """Every code point of the interesting blocks once, plus a stride
    through the rest of the BMP and the SMP/SIP."""
    out = []
    seen = set()
    for pool in POOLS.values():
        for c in pool:
            if c not in seen:
                seen.add(c)
                out.append(c)
    for cp in list(range(0, 0x30000, 37)) + list(range(0xE0000, 0x110000, 997)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def random_strings(rng, count):
    names = sorted(POOLS)
    scripts = ['latin', 'greek', 'cyrillic', 'arabic', 'hebrew', 'devanagari',
               'thai', 'cjk', 'hangul']
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            # mostly one script, sometimes with combining marks, digits,
            # spaces or a stray character from anywhere
            pool = POOLS[rng.choice(scripts)]
            n = rng.randint(1, 10)
            chars = [rng.choice(pool) for _ in range(n)]
            for _ in range(rng.randint(0, 2)):
                extra = rng.choice(['combining', 'ascii', 'space', 'width',
                                    'punct', 'symbol', 'ignorable', 'emoji'])
                chars.insert(rng.randint(0, len(chars)), rng.choice(POOLS[extra]))
            s = ''.join(chars)
        elif kind < 0.75:
            # anything mixed
            n = rng.randint(1, 8)
            s = ''.join(rng.choice(POOLS[rng.choice(names)]) for _ in range(n))
        elif kind < 0.85:
            # bidi mixes
            parts = [POOLS['hebrew'], POOLS['arabic'], list('0123456789'),
                     [chr(c) for c in range(0x660, 0x66A)],
                     list('abcXYZ'), list('-.,+$% '), POOLS['combining']]
            n = rng.randint(1, 7)
            s = ''.join(rng.choice(rng.choice(parts)) for _ in range(n))
        elif kind < 0.92:
            # contextual code points in random surroundings
            ctxcp = rng.choice(['\u200c', '\u200d', '\u00b7', '\u0375',
                                '\u05f3', '\u05f4', '\u30fb', '\u0660',
                                '\u06f5'])
            pools = ['latin', 'greek', 'hebrew', 'arabic', 'devanagari', 'cjk',
                     'combining']
            left = ''.join(rng.choice(POOLS[rng.choice(pools)])
                           for _ in range(rng.randint(0, 3)))
            right = ''.join(rng.choice(POOLS[rng.choice(pools)])
                            for _ in range(rng.randint(0, 3)))
            if rng.random() < 0.3:
                left += '\u094d'  # virama
            s = left + ctxcp + right
        else:
            # emoji sequences and spaces around things
            s = rng.choice(EMOJI_SEQUENCES + ['a', 'B', '\u00c9'])
            if rng.random() < 0.5:
                s = rng.choice(POOLS['space']) + s
            if rng.random() < 0.5:
                s = s + rng.choice(POOLS['space']) * rng.randint(1, 3)
        # case and normalisation variants
        r = rng.random()
        if r < 0.1:
            s = s.upper()
        elif r < 0.2:
            s = s.title()
        elif r < 0.35:
            s = unicodedata.normalize('NFD', s)
        elif r < 0.4:
            s = unicodedata.normalize('NFKD', s)
        out.append(s)
    return out


def corpus(seed, nrandom):
    rng = random.Random(seed)
    items = list(FIXED)
    items += single_code_points(rng)
    items += random_strings(rng, nrandom)
    # deterministic order, duplicates removed
    seen = set()
    out = []
    for s in items:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


# ---------------------------------------------------------------------------

def run_tool(tool, lines):
    data = ''.join('%s\t%s\n' % (p, s.encode('utf-8').hex()) for p, s in lines)
    res = subprocess.run([tool], input=data.encode('ascii'),
                         stdout=subprocess.PIPE, check=False)
    if res.returncode != 0:
        print('precis-tool failed with status %d' % res.returncode)
        sys.exit(2)
    out = res.stdout.decode('ascii').splitlines()
    if len(out) != len(lines):
        print('precis-tool answered %d lines for %d' % (len(out), len(lines)))
        sys.exit(2)
    results = []
    for line in out:
        status, value = line.split('\t', 1)
        if status == 'OK':
            results.append(('OK', bytes.fromhex(value).decode('utf-8')))
        else:
            results.append(('ERR', ours_reason(value)))
    return results


def run_oracle(profile, s):
    try:
        return ('OK', profile.enforce(s))
    except (UnicodeEncodeError, ValueError) as exc:
        return ('ERR', oracle_reason(exc))


def cps(s):
    return ' '.join('U+%04X' % ord(c) for c in s) or '(empty)'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tool')
    ap.add_argument('--seed', type=int, default=8264)
    ap.add_argument('--random', type=int, default=6000,
                    help='number of random strings (on top of the fixed ones)')
    ap.add_argument('--show', type=int, default=20)
    args = ap.parse_args()

    strings = corpus(args.seed, args.random)
    lines = [(p, s) for s in strings for p in PROFILES]
    ours = run_tool(args.tool, lines)
    oracles = {p: precis_i18n.get_profile(o) for p, o in PROFILES.items()}

    agree = 0
    bad = []
    excused = {}
    reason_mismatch = []
    reason_excused = {}
    per_profile = {p: [0, 0] for p in PROFILES}
    for (p, s), mine in zip(lines, ours):
        theirs = run_oracle(oracles[p], s)
        if mine[0] == theirs[0] and (mine[0] == 'ERR' or mine[1] == theirs[1]):
            agree += 1
            per_profile[p][0] += 1
            if mine[0] == 'ERR' and mine[1] != theirs[1]:
                why = allowed(p, s, mine, theirs)
                if why:
                    reason_excused[why] = reason_excused.get(why, 0) + 1
                else:
                    reason_mismatch.append((p, s, mine, theirs))
            continue
        per_profile[p][1] += 1
        why = allowed(p, s, mine, theirs)
        if why:
            excused.setdefault(why, []).append((p, s, mine, theirs))
        else:
            bad.append((p, s, mine, theirs))

    print('precis-diff: xmppc vs precis_i18n %s (Python %s, unicodedata %s), seed %d'
          % (getattr(precis_i18n, '__version__', '?'), sys.version.split()[0],
             unicodedata.unidata_version, args.seed))
    print('strings: %d, comparisons: %d (%d profiles)'
          % (len(strings), len(lines), len(PROFILES)))
    print('agreements: %d, disagreements: %d (allow-listed: %d, unexplained: %d)'
          % (agree, len(lines) - agree, sum(len(v) for v in excused.values()),
             len(bad)))
    for p, (a, d) in per_profile.items():
        print('  %-22s agree %6d  disagree %4d' % (p, a, d))
    accepted = sum(1 for m in ours if m[0] == 'OK')
    print('accepted by xmppc: %d, refused: %d' % (accepted, len(ours) - accepted))
    for name, items in excused.items():
        print('allow-listed %-16s %d' % (name, len(items)))
        for p, s, mine, theirs in items[:3]:
            print('    %s [%s] xmppc=%s oracle=%s' % (p, cps(s), mine, theirs))
    if bad:
        print('UNEXPLAINED DISAGREEMENTS (first %d):' % args.show)
        for p, s, mine, theirs in bad[:args.show]:
            print('  %s [%s]\n      xmppc : %s\n      oracle: %s'
                  % (p, cps(s), mine if mine[0] == 'ERR' else ('OK', cps(mine[1])),
                     theirs if theirs[0] == 'ERR' else ('OK', cps(theirs[1]))))
    print('refusal reason mismatches (informational): %d unexplained, %s'
          % (len(reason_mismatch),
             ', '.join('%d explained by %s' % (n, k) for k, n in reason_excused.items())
             or 'none explained'))
    kinds = {}
    for p, s, mine, theirs in reason_mismatch:
        kinds.setdefault((mine[1], theirs[1]), []).append((p, s))
    for (m, t), items in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        print('  xmppc %-10s oracle %-10s %5d  e.g. %s [%s]'
              % (m, t, len(items), items[0][0], cps(items[0][1])))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Write the seed corpora corpus/parser/ and corpus/from-xml/.

The seeds are checked in; this script documents how they were made and can
regenerate them (it overwrites files of the same names, leaves others).

Parser seeds start with the four control bytes fuzz-parser.c reads:
flags (bit 0 authenticated, bit 1 custom limits, bit 2 allocation-failure
run), limits, chunking mode, seed. Printable values keep the files
readable: "0" = defaults, "1" = authenticated, "3" = authenticated with the
custom limits of byte 1 (e.g. "v": depth 4, 256 bytes, 64 attributes,
4 elements), "5"/"7" = the same with one failing allocation; chunking
"0" = byte by byte, "1" = 1..8, "2" = 1..64, "3" = a few random cuts.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

S_OPEN = ("<stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' "
          "from='example.com' id='c2s-7f3a' version='1.0' xml:lang='en'>")
S_OPEN_DQ = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<stream:stream xmlns="jabber:client" '
             'xmlns:stream="http://etherx.jabber.org/streams" '
             'from="example.com" to="juliet@example.com" id="++TR84Sm6A3hnt3Q065SnAbbk3Y=" '
             'version="1.0" xml:lang="en">')
FEAT_TLS = ("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
            "</starttls></stream:features>")
FEAT_SASL = ("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
             "<mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism>"
             "<mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>"
             "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>"
             "<channel-binding type='tls-exporter'/><channel-binding type='tls-server-end-point'/>"
             "</sasl-channel-binding></stream:features>")
FEAT_BIND = ("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
             "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>"
             "<sm xmlns='urn:xmpp:sm:3'/><ver xmlns='urn:xmpp:features:rosterver'/>"
             "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' "
             "ver='tiFEFGwlC7YH/VYCuxT+gagQVYI='/></stream:features>")
BIND_RESULT = ("<iq type='result' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
               "<jid>juliet@example.com/balcony</jid></bind></iq>")
ROSTER = ("<iq type='result' id='roster_1' to='juliet@example.com/balcony'>"
          "<query xmlns='jabber:iq:roster' ver='ver11'>"
          "<item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>"
          "<item jid='mercutio@example.com' name='Mercutio' subscription='from'/>"
          "<item jid='benvolio@example.net' ask='subscribe' subscription='none'/>"
          "</query></iq>")
ROSTER_PUSH = ("<iq from='juliet@example.com' type='set' id='a78b4q6ha463'>"
               "<query xmlns='jabber:iq:roster' ver='ver13'>"
               "<item jid='nurse@example.com' subscription='remove'/></query></iq>")
MSG = ("<message from='romeo@example.net/orchard' to='juliet@example.com/balcony' "
       "type='chat' id='ktx72v49' xml:lang='en'><body>Art thou not Romeo, and a Montague?</body>"
       "<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
       "<active xmlns='http://jabber.org/protocol/chatstates'/></message>")
MSG_ESC = ("<message from='romeo@example.net/orchard' type='chat' id='esc1'>"
           "<body>5 &lt; 6 &amp;&amp; 7 &gt; 3, &quot;quoted&quot; &apos;apos&apos; "
           "&#233;&#x263A;&#x1F600; caf\u00e9 \u65e5\u672c\u8a9e \U0001F339</body>"
           "<body xml:lang='fr'>\u00c9t\u00e9 \u00e0 V\u00e9rone</body>"
           "<subject xml:lang='en'>a &lt;subject&gt;</subject></message>")
PRES = ("<presence from='romeo@example.net/orchard' xml:lang='en'><show>away</show>"
        "<status>be right back</status><priority>5</priority>"
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://psi-im.org' "
        "ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>"
        "<presence from='mercutio@example.com/x' type='unavailable'/>"
        "<presence from='benvolio@example.net' type='subscribe' id='sub1'/>")
STREAM_ERR = ("<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
              "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>bad</text>"
              "</stream:error></stream:stream>")
SEE_OTHER = ("<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
             "[2001:41D0:1:A49b::1]:9222</see-other-host></stream:error></stream:stream>")
IQ_ERR = ("<iq type='error' from='pubsub.example.com' id='err1'><pubsub xmlns='http://jabber.org/protocol/pubsub'/>"
          "<error type='cancel' by='pubsub.example.com'>"
          "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
          "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>no such node</text>"
          "<unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='retrieve-items'/>"
          "</error></iq>")
MSG_ERR = ("<message type='error' from='romeo@example.net' id='m2'><body>hi</body>"
           "<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>")
IQ_GET = ("<iq type='get' from='example.com' id='ping1'><ping xmlns='urn:xmpp:ping'/></iq>"
          "<iq type='get' from='romeo@example.net/orchard' id='disco1'>"
          "<query xmlns='http://jabber.org/protocol/disco#info' node='x'/></iq>")
TLS_PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
SASL_OK = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289</success>"
SASL_FAIL = ("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
             "<text xml:lang='en'>wrong password</text></failure>")
SM = ("<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true'/>"
      "<r xmlns='urn:xmpp:sm:3'/><a xmlns='urn:xmpp:sm:3' h='17'/>")
END = "</stream:stream>"


def deep(n, name="a"):
    return "<%s>" % name * n + "</%s>" % name * n


PARSER = {
    # realistic streams
    "prologue-tls": ("0000", S_OPEN_DQ + FEAT_TLS),
    "starttls-proceed-restart": ("0013", S_OPEN + FEAT_TLS + TLS_PROCEED + S_OPEN + FEAT_SASL),
    "starttls-proceed-tls-bytes": ("0027", S_OPEN + FEAT_TLS + TLS_PROCEED + "\x16\x03\x01\x02\x00\x01\x00"),
    "sasl-success-restart": ("0131", S_OPEN + FEAT_SASL + SASL_OK + S_OPEN + FEAT_BIND + BIND_RESULT),
    "sasl-failure": ("0023", S_OPEN + FEAT_SASL + SASL_FAIL + END),
    "session-full": ("1033", S_OPEN + FEAT_BIND + BIND_RESULT + ROSTER + PRES + MSG + SM + END),
    "message-escapes-utf8": ("1023", S_OPEN + MSG_ESC),
    "message-error": ("1035", S_OPEN + MSG_ERR),
    "presence": ("1011", S_OPEN + PRES),
    "roster-result-push": ("1022", S_OPEN + ROSTER + ROSTER_PUSH),
    "iq-get-error": ("1020", S_OPEN + IQ_GET + IQ_ERR + "<iq id='nt'/><iq type='bogus' id='bt' from='x@y'/>"),
    "stream-error": ("0011", S_OPEN + STREAM_ERR),
    "see-other-host": ("0038", S_OPEN + SEE_OTHER),
    "keepalive-whitespace": ("1029", S_OPEN + " \n\t\r\n " + MSG + "   \n" + PRES + " " * 20),
    "stream-end-trailing": ("1031", S_OPEN + MSG + END + "<message>after the end</message>"),
    "server-stream": ("1015", "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
                      "xmlns:db='jabber:server:dialback' to='example.net' version='1.0'>"
                      "<db:result from='example.com' to='example.net'>b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3</db:result>"),
    "cdata-body": ("1017", S_OPEN + "<message><body><![CDATA[<not markup> & ]] ok]]></body></message>"),
    "crlf-text": ("1005", S_OPEN + "<message><body>line1\r\nline2\rline3\n</body></message>"),
    "attr-whitespace-refs": ("1006", S_OPEN + "<message id='a&#9;b&#10;c&#13;d' to='x\ty\nz'><body a=\"&quot;'\">x</body></message>"),
    "attr-gt-in-value": ("1009", "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='a>b'>"
                         "<message id='>>' to='<x'/>"),
    "prefixed-elements": ("1013", S_OPEN + "<foo:bar xmlns:foo='urn:example:foo' foo:attr='1' plain='2'>"
                          "<baz/><foo:qux xml:lang='de'/><none xmlns=''/></foo:bar>"),
    "ns-attrs-many-prefixes": ("1025", S_OPEN + "<x xmlns:a='urn:a' xmlns:b='urn:b' xmlns:c='urn:a' a:v='1' b:v='2' v='3'>"
                               "<y a:w='' b:w='&amp;'/></x>"),
    "non-ascii-names": ("1003", S_OPEN + "<caf\u00e9 \u00e9t\u00e9='\u00e0'><\u65e5\u672c/></caf\u00e9>"),
    "callback-error": ("1014", S_OPEN + MSG + "<x-callback-error/>" + PRES),
    "header-refused": ("0016", "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' x-refuse='1'>" + MSG),
    "pause-twice": ("1032", S_OPEN + TLS_PROCEED + S_OPEN + SASL_OK + S_OPEN + MSG + END),
    # limits (custom: 'v' = depth 4, 256 bytes, 64 attributes, 4 elements)
    "limits-within": ("3v11", S_OPEN + "<a><b><c><d/></c></b></a><message><body>ok</body></message>"),
    "limits-depth": ("3v23", S_OPEN + "<a><b><c><d><e/></d></c></b></a>"),
    "limits-elements": ("3v02", S_OPEN + "<a><b/><b/><b/><b/></a>"),
    "limits-bytes": ("3v33", S_OPEN + "<message><body>" + "x" * 300 + "</body></message>"),
    "limits-bytes-unauth": ("2w12", S_OPEN + "<message><body>" + "y" * 260 + "</body></message>"),
    "limits-attrs": ("3j21", S_OPEN + "<x a='1' b='2' c='3' d='4' e='5' f='6' g='7' h='8' i='9'/>"),
    "alloc-fail-session": ("5021", S_OPEN + FEAT_BIND + BIND_RESULT + ROSTER + MSG_ESC),
    "alloc-fail-limits": ("7\xbb3\x90", S_OPEN + MSG + IQ_ERR + PRES),
    # hostile
    "doctype": ("0001", "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x 'y'>]>" + S_OPEN + MSG),
    "entity-laughs": ("0002", "<!DOCTYPE s [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
                      + S_OPEN + "<message><body>&b;&b;&b;</body></message>"),
    "entity-undeclared": ("1003", S_OPEN + "<message><body>&nbsp; &foo;</body></message>"),
    "comment-top": ("1002", S_OPEN + "<!-- hidden -->" + MSG),
    "pi": ("1010", S_OPEN + "<?xml-stylesheet href='x'?>" + MSG),
    "xml-decl-latin1": ("0003", "<?xml version='1.0' encoding='ISO-8859-1'?>" + S_OPEN),
    "xml-decl-version11": ("0012", "<?xml version='1.1'?>" + S_OPEN),
    "bom-utf8": ("0000", "\ufeff" + S_OPEN),
    "invalid-utf8-overlong": ("1001", S_OPEN + "<message><body>\udcc0\udcaf</body></message>"),
    "invalid-utf8-surrogate": ("1022", S_OPEN + "<message><body>\udced\udca0\udc80</body></message>"),
    "invalid-utf8-truncated": ("1011", S_OPEN + MSG + "<message><body>\udce2\udc82"),
    "invalid-char-fffe": ("1033", S_OPEN + "<message><body>\ufffe</body></message>"),
    "invalid-char-control": ("1023", S_OPEN + MSG + "<message><body>\x01\x00</body></message>"),
    "invalid-charref": ("1013", S_OPEN + "<message><body>&#0;&#xD800;</body></message>"),
    "deep-nesting": ("1032", S_OPEN + deep(300)),
    "many-attributes": ("1021", S_OPEN + "<x " + " ".join("a%d='%d'" % (i, i) for i in range(70)) + "/>"),
    "unbound-prefix-element": ("1002", S_OPEN + "<foo:bar/>"),
    "unbound-prefix-attr": ("1020", S_OPEN + "<message foo:to='x'/>"),
    "duplicate-attr": ("1031", S_OPEN + "<message to='a' to='b'/>"),
    "duplicate-expanded-attr": ("1003", S_OPEN + "<m xmlns:p='urn:x' xmlns:q='urn:x' p:a='1' q:a='2'/>"),
    "text-at-top": ("1011", S_OPEN + "hello" + MSG),
    "wrong-root": ("0001", "<stream xmlns='jabber:client'>" + MSG),
    "wrong-stream-ns": ("0022", "<stream:stream xmlns:stream='urn:wrong'>"),
    "xml-ns-element": ("1012", S_OPEN + "<xml:foo/><message/>"),
    "xmlns-ns-misuse": ("1023", S_OPEN + "<m xmlns:xmlns='urn:x'/><n xmlns:xml='urn:y'/>"),
    # a start tag with unbalanced quotes: libxml2 2.9 alone refuses it at once
    # when fed whole, but byte by byte only once another '>' arrives; the
    # empty-chunk retry in lib/xml/parser.c feed_libxml() makes both the same
    "libxml2-quote-heuristic": ("1005", "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='x''><m "),
}

FROM_XML = {
    "message.xml": MSG,
    "message-escapes.xml": MSG_ESC,
    "message-error.xml": MSG_ERR,
    "presence.xml": "<presence xmlns='jabber:client' from='a@b/c'><show>dnd</show><status>busy</status></presence>",
    "iq-error.xml": "<iq xmlns='jabber:client' " + IQ_ERR[4:],
    "iq-get.xml": "<iq xmlns='jabber:client' type='set' id='s1' from='a@b'><query xmlns='jabber:iq:roster'/></iq>",
    "iq-result.xml": BIND_RESULT,
    "roster.xml": ROSTER,
    "server-ns.xml": "<message xmlns='jabber:server' type='headline' from='x' to='y'><body>h</body></message>",
    "no-namespace.xml": "<message to='x'><body>n</body></message>",
    "features.xml": "<features xmlns='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></features>",
    "prefixed.xml": "<p:msg xmlns:p='urn:p' xmlns:q='urn:q' q:a='1' p:b='2' xml:lang='en'><p:c/><d xmlns=''/></p:msg>",
    "attr-refs.xml": "<x a='&#9;&#10;&#13;&lt;&amp;&quot;' b=\"'\">&#13;\r\n&gt;</x>",
    "cdata.xml": "<x><![CDATA[a<b>&c]]></x>",
    "utf8.xml": "<caf\u00e9 v='\u65e5\u672c'>\U0001F600 \u00e9</caf\u00e9>",
    "xml-decl.xml": "<?xml version='1.0' encoding='utf-8'?><x/>",
    "whitespace.xml": "  \n<x>\n  <y/>\n</x>\n  ",
    "deep.xml": deep(20, "d"),
    "bad-trailing.xml": "<x/><y/>",
    "bad-empty.xml": "",
    "bad-text-only.xml": "just text",
    "bad-unbound.xml": "<stream:features/>",
    "bad-dup.xml": "<x a='1' a='1'/>",
    "bad-doctype.xml": "<!DOCTYPE x><x/>",
    "bad-comment.xml": "<x><!-- c --></x>",
    "bad-pi.xml": "<?pi x?><x/>",
    "bad-entity.xml": "<x>&amp;&foo;</x>",
    "bad-utf8.xml": "<x>\udcff</x>",
    "bad-unclosed.xml": "<x><y></x>",
    "xml-ns-element.xml": "<xml:x/>",
    "many-attrs.xml": "<x xmlns:a='urn:a' " + " ".join("a:n%d='%d'" % (i, i) for i in range(62)) + "/>",
}


def enc(s):
    # lone surrogates \udcXX stand for the raw byte XX
    return s.encode("utf-8", "surrogateescape")


def write(dirname, files):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(content)


def main():
    parser = {}
    for name, (control, body) in PARSER.items():
        c = enc(control) if not any(ord(ch) > 0x7f for ch in control) else bytes(ord(ch) for ch in control)
        assert len(c) == 4, name
        parser[name] = c + enc(body)
    write("parser", parser)
    write("from-xml", {name: enc(body) for name, body in FROM_XML.items()})
    print("parser: %d seeds, from-xml: %d seeds" % (len(parser), len(FROM_XML)), file=sys.stderr)


if __name__ == "__main__":
    main()

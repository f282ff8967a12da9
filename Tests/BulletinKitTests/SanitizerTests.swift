import Testing
@testable import BulletinKit

/// `markdown.unsafe_html`: what a browser would run never comes out, whatever the spelling.
/// `Tests/external/sanitizer_browser.py` runs the same payloads in headless Chromium.
struct SanitizerTests {
    private func clean(_ html: String) -> String { HTMLSanitizer.sanitize(html).html }

    @Test func attributesWrittenWithoutSpacesAreStillAttributes() {
        #expect(clean(#"<img src="x"/onerror=alert(1)>"#) == #"<img src="x">"#)
        #expect(clean(#"<img src="x"onerror=alert(1)>"#) == #"<img src="x">"#)
        #expect(clean(#"<img/src="x"/onerror="alert(1)">"#) == #"<img src="x">"#)
        #expect(clean(#"<svg/onload=alert(1)>"#) == "")
        #expect(clean(#"<a/href="javascript:alert(1)">x</a>"#) == "<a>x</a>")
        #expect(clean(#"<a href = 'jav&#x09;ascript:alert(1)'>x</a>"#) == "<a>x</a>")
        #expect(clean(#"<a href="JaVaScRiPt&colon;alert(1)">x</a>"#) == "<a>x</a>")
        #expect(clean(#"<a href="&#106;avascript:alert(1)">x</a>"#) == "<a>x</a>")
    }

    @Test func scriptsAndTheirContentGo() {
        #expect(clean("<script>alert(1)</script>après") == "après")
        #expect(clean("<SCRIPT src=//evil></SCRIPT >après") == "après")
        #expect(clean("<style>body{}</style><iframe src=x></iframe>fin") == "fin")
        #expect(clean("<svg><animate attributeName=href values=javascript:alert(1) /><a>x</a></svg>") == "<a>x</a>")
        #expect(clean("<math><mtext><script>alert(1)</script></mtext></math>") == "")
    }

    @Test func duplicatesKeepTheFirstAsBrowsersDo() {
        #expect(clean(#"<a href="/ok" href="javascript:alert(1)">x</a>"#) == #"<a href="/ok">x</a>"#)
    }

    @Test func valuesAreQuotedAndTextIsEscaped() {
        #expect(clean(#"<span title='a"b>c'>t</span>"#) == #"<span title="a&quot;b&gt;c">t</span>"#)
        #expect(clean("1 < 2 <3") == "1 &lt; 2 &lt;3")
        #expect(clean("<!-- note --><b>gras</b>") == "<b>gras</b>")
        #expect(clean("<div class=\"note\" onclick=\"x()\">Note</div>") == "<div class=\"note\">Note</div>")
    }

    @Test func unfinishedTagsAreDropped() {
        #expect(clean(#"texte <img src="x" onerror="alert(1)"#) == "texte ")
        #expect(clean("<a href=") == "")
    }

    @Test func harmlessHTMLIsKept() {
        let html = #"<figure class="wide"><img src="images/a.jpg" alt="Vue" width="800" height="600"><figcaption>Vue <em>aérienne</em></figcaption></figure>"#
        #expect(clean(html) == html)
        #expect(clean(#"<a href="https://example.org/?a=1&amp;b=2" target="_blank">lien</a>"#)
            == #"<a href="https://example.org/?a=1&amp;b=2" target="_blank">lien</a>"#)
        #expect(clean(#"<img srcset="a.jpg 1x, b.jpg 2x" src="a.jpg" alt="">"#) == #"<img srcset="a.jpg 1x, b.jpg 2x" src="a.jpg" alt="">"#)
        #expect(clean(#"<img srcset="a.jpg 1x, javascript:alert(1) 2x" src="a.jpg" alt="">"#) == #"<img src="a.jpg" alt="">"#)
    }

    @Test func whatWasRemovedIsSaid() {
        let removed = HTMLSanitizer.sanitize(#"<img src="x"/onerror=alert(1)><script>x</script>"#).removed
        #expect(removed == ["the event handler onerror", "<script>"])
    }

    /// Schemes are read on the URL's first bytes, as a browser reads them: ASCII
    /// whitespace and controls inside are ignored, case does not matter.
    @Test(arguments: [
        ("javascript:alert(1)", true), (" JaVaScRiPt:alert(1)", true), ("java\tscript:x", true), ("jav\u{0}ascript:x", true),
        ("vbscript:x", true), ("FILE:///etc/passwd", true), ("fi le:///x", true), ("data:text/html,<b>", true),
        ("data:image/png;base64,AAAA", false), ("DATA:IMAGE/WEBP;base64,AA", false), ("https://exemple.fr/javascript:", false),
        ("javascr\u{130}pt:x", false), ("mailto:a@b.fr", false), ("#suite", false), ("", false),
    ])
    func dangerousSchemesAreFoundOnTheFirstBytes(url: String, dangerous: Bool) {
        #expect(URLSafety.isDangerous(url) == dangerous)
    }
}

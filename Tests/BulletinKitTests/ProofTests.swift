import CBulletinCurl
import Foundation
import Testing

@testable import BulletinKit

/// `bulletin send`'s server address and the proof made of an `email.eml` (the SMTP round
/// trip itself is `Tests/external/send_smtp.py`, against a real server).
@Suite struct ProofTests {
    @Test func encryptionIsRequiredAwayFromThisMachine() throws {
        func server(_ text: String) -> (url: String, security: UInt32)? {
            guard case .success(let server) = Proof.server(text) else { return nil }
            return (server.url, server.security.rawValue)
        }
        #expect(server("smtp://redaction@smtp.example.fr")! == ("smtp://smtp.example.fr:587", BULLETIN_SMTP_STARTTLS.rawValue))
        #expect(server("smtp://smtp.example.fr:465")! == ("smtps://smtp.example.fr:465", BULLETIN_SMTP_IMPLICIT_TLS.rawValue))
        #expect(server("smtps://smtp.example.fr")! == ("smtps://smtp.example.fr:465", BULLETIN_SMTP_IMPLICIT_TLS.rawValue))
        #expect(server("smtp://127.0.0.1:2525")! == ("smtp://127.0.0.1:2525", BULLETIN_SMTP_LOOPBACK.rawValue))
        #expect(server("smtp://localhost:25")!.security == BULLETIN_SMTP_LOOPBACK.rawValue)
        #expect(server("smtp://[::1]:25")! == ("smtp://[::1]:25", BULLETIN_SMTP_LOOPBACK.rawValue))
        // A host that merely starts like loopback's name or address is not loopback.
        #expect(server("smtp://localhost.example.fr")!.security == BULLETIN_SMTP_STARTTLS.rawValue)
        #expect(server("smtp://127.example.fr")!.security == BULLETIN_SMTP_STARTTLS.rawValue)
        #expect(server("smtp://127.0.0.1.example.fr")!.security == BULLETIN_SMTP_STARTTLS.rawValue)
        #expect(server("smtp://127.0.0.53")!.security == BULLETIN_SMTP_LOOPBACK.rawValue)
        #expect(server("smtp://user:secret@smtp.example.fr") == nil, "a password in the URL is refused")
        #expect(server("http://smtp.example.fr") == nil)
        #expect(server("smtp.example.fr") == nil)
    }

    @Test func aProofMarksTheSubjectAndKeepsTheRest() throws {
        let eml = Data((
            "From: \"La Lettre\" <lettre@example.fr>\r\nSubject: =?UTF-8?B?TGV0dHJlIG7CsCA0?=\r\n =?UTF-8?B?MA==?=\r\n"
            + "Date: Wed, 05 Jul 2023 00:00:00 +0200\r\nMessage-ID: <issue-40-ete@example.fr>\r\nMIME-Version: 1.0\r\n"
            + "List-Unsubscribe: <mailto:stop@example.fr>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n*|UNSUB|*\r\n").utf8)
        let made = try Proof.message(eml, marker: "[BAT]", to: ["a@example.fr", "b@example.fr"], now: Date(timeIntervalSince1970: 1_796_246_895)).get()
        let text = String(decoding: made.bytes, as: UTF8.self)
        #expect(made.from == "lettre@example.fr")
        #expect(text.contains("\r\nTo: a@example.fr, b@example.fr\r\n"))
        #expect(text.contains("Subject: =?UTF-8?B?W0JBVF0g?= =?UTF-8?B?TGV0dHJlIG7CsCA0?=\r\n =?UTF-8?B?MA==?=\r\n"))
        #expect(text.contains("\r\nDate: Wed, 02 Dec 2026 21:28:15 +0000\r\n"))
        #expect(text.contains("Message-ID: <proof-1796246895-") && text.contains("-issue-40-ete@example.fr>\r\n"))
        #expect(text.contains("\r\nList-Unsubscribe: <mailto:stop@example.fr>\r\n"))
        #expect(text.hasSuffix("\r\n\r\n*|UNSUB|*\r\n"), "the body and its merge tag as written")
        #expect(Proof.marker(language: "fr") == "[BAT]" && Proof.marker(language: "en") == "[Proof]")
    }
}

import CBulletinCurl
import Foundation

/// A proof (the "BAT", *bon à tirer*) of an issue's e-mail, sent to the editor over SMTP:
/// the issue's `email.eml` as the build wrote it, with a marked subject, the proof's
/// recipients, today's date and a message id of its own (a mail client would otherwise
/// take a second proof for the first one). Merge tags are left as written.
public enum Proof {
    /// Why a proof was not sent, on one line.
    public struct Failure: Error, Sendable {
        public let message: String
    }

    /// An SMTP server, from `smtp://user@host:587` or `smtps://user@host:465`.
    public struct Server: Sendable {
        /// What libcurl is given: the scheme, host and port, never the user.
        let url: String
        let security: bulletin_smtp_security
        public let username: String?
        /// `host:port`, to say where the proof went.
        public let address: String
    }

    /// The server `text` names. Plain SMTP only to this machine: elsewhere STARTTLS is
    /// required (587, the default) or TLS from the start (`smtps://`, or port 465). A
    /// password is never taken from the URL, which the shell's history and `ps` show.
    public static func server(_ text: String) -> Result<Server, Failure> {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
            let host = url.host, !host.isEmpty
        else {
            return .failure(Failure(message: "the SMTP server must be written smtp://[user@]host[:port] or smtps://[user@]host[:port], got \"\(MIMEMessage.oneLine(text))\""))
        }
        guard url.password == nil else {
            return .failure(Failure(message: "the SMTP URL holds a password: remove it and set BULLETIN_SMTP_PASSWORD instead"))
        }
        let port = url.port ?? (scheme == "smtps" ? 465 : 587)
        let implicit = scheme == "smtps" || port == 465
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // 127.0.0.0/8 written as an address: `127.example.fr` is a name like any other.
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        let isLoopbackAddress = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
        let isLoopback = bare.lowercased() == "localhost" || bare == "::1" || isLoopbackAddress
        let shown = bare.contains(":") ? "[\(bare)]" : bare
        return .success(Server(
            url: "\(implicit ? "smtps" : "smtp")://\(shown):\(port)",
            security: implicit ? BULLETIN_SMTP_IMPLICIT_TLS : isLoopback ? BULLETIN_SMTP_LOOPBACK : BULLETIN_SMTP_STARTTLS,
            username: url.user, address: "\(shown):\(port)"))
    }

    /// The `email.eml` of the issue `issue` (its number, or its folder's name) in the
    /// built site at `output`.
    public static func emailFile(of issue: String, in output: URL) -> Result<URL, Failure> {
        let issues = output.appendingPathComponent("issues")
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: issues.path)) ?? []).sorted()
        func email(of folder: String) -> URL { issues.appendingPathComponent(folder).appendingPathComponent("email.eml") }
        if folders.contains(issue), FileManager.default.fileExists(atPath: email(of: issue).path) { return .success(email(of: issue)) }
        // Else by number: `Message-ID: <issue-40-…@host>` holds it, in the message's head.
        for folder in folders where !issue.isEmpty && issue.allSatisfy(\.isNumber) {
            guard let handle = FileHandle(forReadingAtPath: email(of: folder).path) else { continue }
            defer { try? handle.close() }
            let head = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
            if let id = head.components(separatedBy: "\r\nMessage-ID: <issue-").dropFirst().first, id.prefix(while: \.isNumber) == issue {
                return .success(email(of: folder))
            }
        }
        return .failure(Failure(message: "no published issue numbered or named \"\(MIMEMessage.oneLine(issue))\" in \(output.path)/issues (drafts and future issues need --drafts or --future)"))
    }

    /// `[BAT]` or `[Proof]`: `email_proof_marker` of the built-in theme's locale in the
    /// e-mail's language (a site's theme may not override it).
    public static func marker(language: String) -> String {
        let path = language.lowercased().hasPrefix("en") ? "locales/en.yml" : "locales/fr.yml"
        var ignored: [Diagnostic] = []
        guard let data = DefaultTheme.files[path],
            case .success(let locale) = YAMLFields.parse(String(decoding: data, as: UTF8.self), path: path, firstLine: 1),
            let marker = locale.mapping("strings", into: &ignored)?.string("email_proof_marker", into: &ignored)
        else { return "[BAT]" }
        return marker
    }

    /// The proof of the message `eml`, for `recipients`, with the envelope's sender (the
    /// address of its From).
    public static func message(_ eml: Data, marker: String, to recipients: [String], now: Date = Date()) -> Result<(bytes: Data, from: String), Failure> {
        guard let end = eml.range(of: Data("\r\n\r\n".utf8)) else { return .failure(Failure(message: "email.eml has no header")) }
        let head = String(decoding: eml[..<end.lowerBound], as: UTF8.self)
        // Each header with its continuation lines.
        var headers: [(name: String, value: String)] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !headers.isEmpty {
                headers[headers.count - 1].value += "\r\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        guard let from = headers.first(where: { $0.name.lowercased() == "from" })?.value else {
            return .failure(Failure(message: "email.eml has no From"))
        }
        let sender = from.lastIndex(of: "<").map { String(from[from.index(after: $0)...].prefix { $0 != ">" }) } ?? from
        let seconds = Int(now.timeIntervalSince1970)
        var proof: [(name: String, value: String)] = []
        for header in headers {
            switch header.name.lowercased() {
            case "subject":
                // An encoded word joins the next one without the space between them (RFC 2047).
                let marked = header.value.hasPrefix("=?")
                    ? "=?UTF-8?B?\(Data((marker + " ").utf8).base64EncodedString())?= " + header.value
                    : marker + " " + header.value
                proof.append((header.name, marked))
            case "date": proof.append((header.name, rfc5322(seconds)))
            case "message-id":
                let id = header.value.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
                proof.append((header.name, "<proof-\(seconds)-\(UInt32.random(in: 0...UInt32.max))-\(id)>"))
            case "to": continue
            default: proof.append(header)
            }
            if header.name.lowercased() == "from" { proof.append(("To", recipients.joined(separator: ", "))) }
        }
        var bytes = Data(proof.map { "\($0.name): \($0.value)" }.joined(separator: "\r\n").utf8)
        bytes.append(eml[end.lowerBound...])
        return .success((bytes, sender))
    }

    /// Sends `message` from `sender` to `recipients` through `server`, giving up after
    /// `timeout` seconds.
    public static func send(
        _ message: Data, from sender: String, to recipients: [String], through server: Server, password: String?, timeout: Int
    ) -> Result<Void, Failure> {
        var error = [CChar](repeating: 0, count: 1024)
        let pointers = recipients.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let status = message.withUnsafeBytes { bytes in
            pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { list in
                bulletin_smtp_send(
                    server.url, Int32(server.security.rawValue), server.username, password, sender, list.baseAddress, Int32(recipients.count),
                    bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, timeout, &error, error.count)
            }
        }
        guard status != 0 else { return .success(()) }
        return .failure(Failure(message: MIMEMessage.oneLine(cString(error))))
    }

    /// `Wed, 02 Dec 2026 21:30:00 +0000`
    private static func rfc5322(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return rfc822Date(
            weekday: Int(parts.tm_wday), day: Int(parts.tm_mday), month: Int(parts.tm_mon) + 1, year: Int(parts.tm_year) + 1900,
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec), offsetMinutes: 0)
    }
}

extension Proof {
    /// `redaction@example.fr`: an address alone, as SMTP's envelope takes it.
    public static func isAddress(_ text: String) -> Bool {
        !text.contains("<") && SiteConfigParser.isMailbox(text)
    }
}

import Foundation

extension LocaleStrings {
    /// `5 juillet 2023`, `1er juillet 2023`, `July 5, 2023`, as the locale file says.
    func display(_ date: SimpleDate) -> String {
        let day = date.day == 1 ? (firstDay ?? "1") : String(date.day)
        // Byte by byte: through Foundation, dates were 2 % of a build (lists show thousands).
        return dateFormat
            .replacingBytes(of: "{day}", with: day)
            .replacingBytes(of: "{month}", with: months[date.month - 1])
            .replacingBytes(of: "{year}", with: String(date.year))
    }
}

extension SimpleDate {
    /// RFC 822 date of midnight in the given zone, as RSS wants: `Wed, 05 Jul 2023 00:00:00 +0200`.
    func rfc822(in timeZone: TimeZone) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let offset = timeZone.secondsFromGMT(for: startOfDay(in: timeZone)) / 60
        let sign = offset < 0 ? "-" : "+"
        // Not `String(format:)`: its dynamic casts cost half a millisecond of every build.
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(days[weekday]), \(padded(day, 2)) \(months[month - 1]) \(padded(year, 4)) 00:00:00 "
            + "\(sign)\(padded(abs(offset) / 60, 2))\(padded(abs(offset) % 60, 2))"
    }
}

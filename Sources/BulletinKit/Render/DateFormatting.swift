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
        let offset = timeZone.secondsFromGMT(for: startOfDay(in: timeZone)) / 60
        return rfc822Date(weekday: weekday, day: day, month: month, year: year, hour: 0, minute: 0, second: 0, offsetMinutes: offset)
    }
}

extension SimpleDate {
    /// RFC 3339 date of midnight in the given zone, as Atom and JSON Feed want: `2023-07-05T00:00:00+02:00`.
    func rfc3339(in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: startOfDay(in: timeZone)) / 60
        return "\(padded(year, 4))-\(padded(month))-\(padded(day))T00:00:00\(offset < 0 ? "-" : "+")\(padded(abs(offset) / 60)):\(padded(abs(offset) % 60))"
    }
}

/// `Wed, 05 Jul 2023 00:00:00 +0200` (RFC 822, and 5322 for mail): `weekday` 0 is Sunday.
/// Not `String(format:)`: its dynamic casts cost half a millisecond of every build.
func rfc822Date(weekday: Int, day: Int, month: Int, year: Int, hour: Int, minute: Int, second: Int, offsetMinutes offset: Int) -> String {
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return "\(days[weekday]), \(padded(day)) \(months[month - 1]) \(padded(year, 4)) \(padded(hour)):\(padded(minute)):\(padded(second)) "
        + "\(offset < 0 ? "-" : "+")\(padded(abs(offset) / 60))\(padded(abs(offset) % 60))"
}

/// `value` in `width` digits at least, zeros before.
private func padded(_ value: Int, _ width: Int = 2) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

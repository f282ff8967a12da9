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
        return String(
            format: "%@, %02d %@ %04d 00:00:00 %@%02d%02d", days[weekday], day, months[month - 1], year, sign,
            abs(offset) / 60, abs(offset) % 60)
    }
}

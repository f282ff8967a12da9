/// Stage 3: the site as a value. Which issues are published (drafts and future issues
/// filtered against an injected "today"), their order, neighbours and the archive.
public struct SiteModel: Sendable {
    public let config: SiteConfig
    /// Published issues, newest first.
    public let issues: [Issue]
    public let today: SimpleDate

    public struct Selection: Sendable {
        public var includeDrafts = false
        public var includeFuture = false
        public init(includeDrafts: Bool = false, includeFuture: Bool = false) {
            self.includeDrafts = includeDrafts
            self.includeFuture = includeFuture
        }

        /// Whether `issue` is published on `today`: the one rule, for the pages and for links.
        func publishes(_ issue: Issue, today: SimpleDate) -> Bool {
            (includeDrafts || !issue.isDraft) && (includeFuture || issue.date <= today)
        }
    }

    init(config: SiteConfig, allIssues: [Issue], today: SimpleDate, selection: Selection) {
        self.config = config
        self.today = today
        self.issues = allIssues
            .filter { selection.publishes($0, today: today) }
            .sorted { ($0.date, $0.number) > ($1.date, $1.number) }
    }

    /// The issue published after (`newer`) and before (`older`) the one at `index`.
    func neighbours(of index: Int) -> (newer: Issue?, older: Issue?) {
        (index > 0 ? issues[index - 1] : nil, index + 1 < issues.count ? issues[index + 1] : nil)
    }

    /// Issues grouped by year, newest year first.
    var archive: [(year: Int, issues: [Issue])] {
        var years: [(year: Int, issues: [Issue])] = []
        for issue in issues {
            if years.last?.year == issue.date.year {
                years[years.count - 1].issues.append(issue)
            } else {
                years.append((issue.date.year, [issue]))
            }
        }
        return years
    }

    func isFuture(_ issue: Issue) -> Bool { issue.date > today }
}

/// Errors that need every issue at once: two issues with one number or one slug.
func duplicateIssueDiagnostics(_ issues: [Issue]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    var numbers: [Int: Issue] = [:]
    var slugs: [String: Issue] = [:]
    for issue in issues.sorted(by: { $0.source.path < $1.source.path }) {
        if let other = numbers[issue.number] {
            diagnostics.append(.error(
                "issue number \(issue.number) is already used by \(other.source.path)", at: issue.numberLocation))
        } else {
            numbers[issue.number] = issue
        }
        if let other = slugs[issue.slug] {
            diagnostics.append(Diagnostic(
                .error, "issue slug `\(issue.slug)` is already used by \(other.source.path)", path: issue.source.path))
        } else {
            slugs[issue.slug] = issue
        }
    }
    return diagnostics
}

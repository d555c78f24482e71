/// SPEC §6: whether the run attempts application-consistency with the user's scripts.
enum ScriptPlan {
    case app(pre: CheckedScript, post: CheckedScript)
    /// `reason` is the `appsnap:consistency-reason` token; `detail` the log sentence.
    case none(reason: String, detail: String)

    static let prescriptPath = "/tmp/prescript.sh"
    static let postscriptPath = "/tmp/postscript.sh"

    static func decide(pre: String?, post: String?, guest: GuestHost) -> ScriptPlan {
        guard let pre, let post else {
            switch (pre, post) {
            case (nil, nil):
                return .none(reason: "scripts-not-given",
                             detail: "PreScriptPath and PostScriptPath are not given")
            case (nil, _):
                return .none(reason: "prescript-not-given",
                             detail: "PostScriptPath is given but PreScriptPath is not; both are needed")
            default:
                return .none(reason: "postscript-not-given",
                             detail: "PreScriptPath is given but PostScriptPath is not; both are needed")
            }
        }
        if pre != prescriptPath {
            return .none(reason: "script-path-not-allowed", detail: "PreScriptPath is \"\(pre)\"; it must be exactly \(prescriptPath)")
        }
        if post != postscriptPath {
            return .none(reason: "script-path-not-allowed", detail: "PostScriptPath is \"\(post)\"; it must be exactly \(postscriptPath)")
        }
        let checkedPre: CheckedScript
        switch guest.openScript(path: pre) {
        case .ok(let s): checkedPre = s
        case .rejected(let reason, let detail): return .none(reason: reason, detail: "\(pre): \(detail)")
        }
        switch guest.openScript(path: post) {
        case .ok(let s): return .app(pre: checkedPre, post: s)
        case .rejected(let reason, let detail): return .none(reason: reason, detail: "\(post): \(detail)")
        }
    }
}

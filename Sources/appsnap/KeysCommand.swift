import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap cloud keys create|list|delete`: the access keys `appsnap serve` accepts.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list or delete the access keys `appsnap serve` accepts.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an access key and print it, secret included, once, as JSON.",
            discussion: """
            The secret is shown only now; appsnap keeps it sealed with a key in the state folder's \
            access-keys.key (mode 0600). The key may call the actions of its RAM policy: by default \
            the demo role's (the plugin's own: ecs:DescribeSnapshot*, ecs:CreateSnapshot*, \
            ecs:TagResources, ecs:DescribeDisks, ecs:DeleteSnapshotGroup); --action ecs:* allows all.
            """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("action"), help: ArgumentHelp("A RAM action pattern the key may call (repeat), e.g. ecs:Describe* or ecs:*.", valueName: "pattern"))
        var actions: [String] = []
        @Option(help: "What the key is for.") var description = ""

        func validate() throws {
            if let bad = actions.first(where: { !RAMPolicy.isValid($0) }) {
                throw ValidationError("--action \(bad): a pattern is ecs:ACTION, where * matches any run of letters (ecs:Describe*, ecs:*)")
            }
        }

        func run() async throws {
            let (info, secret) = try global.makeEmbeddedCloud().createAccessKey(actions: actions.isEmpty ? nil : actions,
                                                                                description: description)
            print(#"{"AccessKeyId":"\#(info.AccessKeyId)","AccessKeySecret":"\#(secret)"}"#)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the access keys and their policies (never a secret).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let keys = try global.makeEmbeddedCloud().listAccessKeys()
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try enc.encode(["AccessKeys": keys]), as: UTF8.self))
                return
            }
            if keys.isEmpty { print("no access keys; make one with `appsnap cloud keys create`"); return }
            for k in keys {
                print("\(k.AccessKeyId)  \(k.CreationTime)  \(k.Actions.joined(separator: ","))"
                      + (k.Description.isEmpty ? "" : "  \(k.Description)"))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an access key: requests signed with it are refused at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The AccessKeyId.") var accessKeyId: String

        func run() async throws {
            do {
                try global.makeEmbeddedCloud().deleteAccessKey(accessKeyId)
            } catch let e as ECSError {
                throw ValidationError("\(e.Message) Nothing was deleted; `appsnap cloud keys list` shows the keys.")
            }
            print("deleted \(accessKeyId)")
        }
    }
}

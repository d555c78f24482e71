import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap ecs ACTION --Key value …`: one ECS API call, its JSON response on stdout.
struct ECSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ecs",
        abstract: "Make one ECS API call and print its JSON response.",
        discussion: """
        Parameters use the ECS names: --RegionId cn-hangzhou --InstanceId.1 i-… --Tag.1.Key k. \
        --region fills RegionId when it is not given. An ECS error prints its JSON on stderr \
        and exits 1.

        Actions: \(ECSActions.names.joined(separator: ", ")).

        Example:
          appsnap ecs DescribeInstances --RegionId cn-hangzhou
          appsnap ecs DescribeInvocationResults --InvokeId t-… --ContentEncoding PlainText
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The ECS action, e.g. DescribeInstances.")
    var action: String

    @Argument(parsing: .allUnrecognized, help: "The action's parameters, as --Key value or --Key=value.")
    var parameters: [String] = []

    func run() async throws {
        InstanceAgent.endWithRunnerIfSupervised()
        // Inside an emulated instance, the call goes out as the instance's RAM role.
        if let code = InstanceAgent.relayIfInsideInstance(Array(CommandLine.arguments.dropFirst())) {
            throw ArgumentParser.ExitCode(code)
        }
        let params: [String: String]
        do {
            params = try FlatArguments.parse(parameters)
        } catch let e as ECSError {
            throw ecsFailure(e)
        }
        do {
            let cloud = try global.makeCloud()
            let body = try await ECSActions.call(action, params, defaults: ["RegionId": global.regionId], on: cloud)
            FileHandle.standardOutput.write(body.json() + Data("\n".utf8))
        } catch {
            // Even a cloud that cannot be opened answers in ECS's shape (InternalError).
            throw ecsFailure(ECSError.from(error))
        }
    }
}

/// Prints an ECS error's JSON on stderr and gives the exit status 1, as SPEC §11 says.
func ecsFailure(_ e: ECSError) -> ArgumentParser.ExitCode {
    FileHandle.standardError.write(e.json() + Data("\n".utf8))
    return .failure
}

/// `--Key value` and `--Key=value` pairs into a dictionary.
enum FlatArguments {
    static func parse(_ args: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("--"), a.count > 2 else {
                throw ECSError.invalidParameter(a, "expected --Key value or --Key=value")
            }
            let body = a.dropFirst(2)
            let key: String, value: String
            if let eq = body.firstIndex(of: "=") {
                key = String(body[..<eq]); value = String(body[body.index(after: eq)...])
                i += 1
            } else {
                guard i + 1 < args.count else { throw ECSError.invalidParameter(String(body), "has no value") }
                key = String(body); value = args[i + 1]
                i += 2
            }
            if out[key] != nil { throw ECSError.invalidParameter(key, "is given twice") }
            out[key] = value
        }
        return out
    }
}

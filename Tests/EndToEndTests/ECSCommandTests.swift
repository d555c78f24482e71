import Foundation
import Testing

/// `appsnap ecs`: bad input gets the ECS error on stderr, exit 1, and changes nothing.
@Suite struct ECSCommandTests {
    @Test func unknownActionParameterAndInstance() throws {
        let app = try AppSnapBinary()
        let unknownAction = try app.ecs("DescribeEverything", [:])
        #expect(unknownAction.status == 1)
        #expect(unknownAction.errorJSON["Code"] as? String == "InvalidAction.NotFound")

        let unknownParam = try app.ecs("DescribeRegions", ["Colour": "blue"])
        #expect(unknownParam.status == 1)
        #expect(unknownParam.errorJSON["Code"] as? String == "InvalidParameter")
        #expect(unknownParam.stderr.contains("Colour"))

        let missing = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript"])
        #expect(missing.errorJSON["Code"] as? String == "MissingParameter")

        let wrongType = try app.ecs("CreateDisk", ["RegionId": "cn-hangzhou", "Size": "big"])
        #expect(wrongType.errorJSON["Code"] as? String == "InvalidParameter")

        let unknownInstance = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": "i-doesnotexist"])
        #expect(unknownInstance.errorJSON["Code"] as? String == "InvalidInstanceId.NotFound")
        for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            #expect(unknownInstance.errorJSON[key] != nil, "ECS errors carry \(key)")
        }
    }

    @Test func regionsAndListsComeInECSShape() throws {
        let app = try AppSnapBinary()
        let r = try app.ecs("DescribeRegions", [:])
        #expect(r.status == 0)
        let regions = ((r.json["Regions"] as? [String: Any])?["Region"] as? [[String: Any]])?.compactMap { $0["RegionId"] as? String }
        #expect(Set(regions ?? []) == ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"])
        #expect(r.json["RequestId"] != nil)
    }
}

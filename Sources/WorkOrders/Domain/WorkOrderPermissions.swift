import Platform

extension Permission {
    public static let workOrderRead = Permission("workorder.read")
    public static let workOrderIntake = Permission("workorder.intake")
    public static let workOrderHandle = Permission("workorder.handle")
    public static let workOrderSupervise = Permission("workorder.supervise")
    public static let workOrderConfigure = Permission("workorder.configure")
}

/// The permissions of the work-order engine.
public enum WorkOrderPermissions {
    public static let all: [PermissionInfo] = [
        PermissionInfo(
            .workOrderRead, "查看工单及统计",
            roles: [
                BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.workOrderHandler, BuiltInRole.hotlineOperator, BuiltInRole.auditor,
                BuiltInRole.viewer,
            ]),
        PermissionInfo(
            .workOrderIntake, "登记工单（热线、窗口代办）、回访",
            roles: [BuiltInRole.orgAdmin, BuiltInRole.workOrderHandler, BuiltInRole.hotlineOperator]),
        PermissionInfo(.workOrderHandle, "受理、转办、协办、办结工单", roles: [BuiltInRole.orgAdmin, BuiltInRole.workOrderHandler]),
        PermissionInfo(.workOrderSupervise, "督办工单（催办、改派、提级办理）", roles: [BuiltInRole.orgAdmin]),
        PermissionInfo(.workOrderConfigure, "配置工单类型、分类、分派规则与节假日", roles: [BuiltInRole.systemAdmin]),
    ]
}

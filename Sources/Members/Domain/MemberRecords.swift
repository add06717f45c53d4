import Foundation
import Platform

/// The sealed columns of the Members domain (see `SealedField`).
public enum MemberFields {
    public static let idNumber = SealedField("members", "id_cipher")
    public static let phone = SealedField("members", "phone_cipher")
    public static let applicationIdNumber = SealedField("join_applications", "id_cipher")
    public static let applicationPhone = SealedField("join_applications", "phone_cipher")
    public static let workerPhone = SealedField("workers", "phone_cipher")
    public static let outboxPhone = SealedField("sms_outbox", "phone_cipher")
    public static let importRow = SealedField("member_import_errors", "raw")

    /// For re-sealing under a new data key.
    public static let columns: [SealedColumn] = [
        SealedColumn(idNumber), SealedColumn(phone), SealedColumn(applicationIdNumber), SealedColumn(applicationPhone),
        SealedColumn(workerPhone), SealedColumn(outboxPhone), SealedColumn(importRow, key: ["import_id", "row_number"]),
    ]

    /// For re-making blind indexes under a new index key: what `MemberRecords` hashes.
    public static let indexes: [IndexedColumn] = [
        IndexedColumn(SealedColumn(idNumber), index: "id_index") { "id:" + $0 },
        IndexedColumn(SealedColumn(phone), index: "phone_index") { "phone:" + $0 },
        IndexedColumn(SealedColumn(applicationIdNumber), index: "id_index") { "id:" + $0 },
        IndexedColumn(SealedColumn(applicationPhone), index: "phone_index") { "phone:" + $0 },
        IndexedColumn(SealedColumn(workerPhone), index: "phone_index") { "phone:" + $0 },
    ]
}

/// Turns checked input into stored records: seals the ID and phone numbers, makes the blind
/// indexes and masks, and numbers the member (会员编号 = deployment prefix + 12-digit id).
public struct MemberRecords: Sendable {
    let cipher: FieldCipher
    let numberPrefix: String

    public init(cipher: FieldCipher, numberPrefix: String) {
        self.cipher = cipher
        self.numberPrefix = numberPrefix
    }

    func idIndex(_ id: IDNumber) -> String { cipher.blindIndex("id:" + id.value) }
    func phoneIndex(_ phone: String) -> String { cipher.blindIndex("phone:" + phone) }

    func memberNo(_ id: Int64) -> String {
        let digits = String(id)
        return numberPrefix + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    func make(_ valid: ValidMember, id: Int64, union: UnionRef, workerId: Int64?, now: Date) throws -> Member {
        Member(
            id: id, orgId: union.id, orgPath: union.path, name: valid.name, gender: valid.gender.rawValue,
            birthDate: valid.birthDate.iso, ethnicity: valid.ethnicity, idCipher: try cipher.seal(valid.idNumber.value, for: MemberFields.idNumber),
            idIndex: idIndex(valid.idNumber), idMask: valid.idNumber.masked,
            phoneCipher: try valid.phone.map { try cipher.seal($0, for: MemberFields.phone) },
            phoneIndex: valid.phone.map(phoneIndex), phoneMask: valid.phone.map(Phone.mask), education: valid.education,
            politicalStatus: valid.politicalStatus, job: valid.job, migrantWorker: valid.migrantWorker, memberNo: memberNo(id),
            joinDate: valid.joinDate.iso, status: MembershipStatus.active.rawValue, cardNo: nil, workerId: workerId,
            createdAt: now, updatedAt: now)
    }

    /// The member with its id and the member number made from it.
    func numbered(_ member: Member, id: Int64) -> Member {
        var member = member
        member.id = id
        member.memberNo = memberNo(id)
        return member
    }

    func open(_ sealed: String, _ field: SealedField) throws -> String { try cipher.open(sealed, for: field) }
    func seal(_ plain: String, _ field: SealedField) throws -> String { try cipher.seal(plain, for: field) }
}

import Foundation
import Platform

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
            birthDate: valid.birthDate.iso, ethnicity: valid.ethnicity, idCipher: try cipher.seal(valid.idNumber.value),
            idIndex: idIndex(valid.idNumber), idMask: valid.idNumber.masked, phoneCipher: try valid.phone.map(cipher.seal),
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

    func open(_ sealed: String) throws -> String { try cipher.open(sealed) }
}

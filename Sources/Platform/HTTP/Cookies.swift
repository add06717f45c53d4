import Hummingbird

public enum CookieName {
    public static let session = "wh_session"
    public static let csrf = "wh_csrf"
    public static let member = "wh_member"
}

extension Cookie {
    /// A cookie the browser keeps from scripts and other sites.
    public static func secure(name: String, value: String, maxAge: Int?, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

"""Every form's error path, in the browser: a form sent with one required field left empty comes back
with the error and with every other value as it was typed (the web layer's rule: a failed form
re-renders with every value and the error next to its field; passwords are never sent back).

For each POST form on the given pages: fill every visible field except one required one (text with a
marker, dates and numbers with a valid value, selects with their last choice), turn off the browser's
own validation so the server decides, press the form's last submit button, and check the page that
comes back: an error is shown, the form is there, each field holds what was typed. A form with no
required field, or with nothing to keep besides it, is listed as skipped with the reason.
"""

from selenium.webdriver.common.by import By

# Fills the `index`th POST form of the page and presses its last submit button. Returns what was
# typed (name -> value), or a reason to skip the form.
FILL = r"""
const index = arguments[0];
const forms = [...document.querySelectorAll('form')].filter(f => f.method.toLowerCase() === 'post'
    && f.offsetParent !== null);
const form = forms[index];
if (!form) return {skip: 'gone'};
const shown = e => e.offsetParent !== null && !e.disabled && !e.readOnly;
const fields = [...form.querySelectorAll('input, textarea, select')].filter(e => shown(e)
    && !['hidden', 'password', 'file', 'checkbox', 'radio', 'submit', 'button'].includes(e.type) && e.name);
const label = e => e.id ? document.querySelector(`label[for="${e.id}"]`) : e.closest('label');
const required = e => e.required || (label(e) && label(e).querySelector('.req'));
const radio = [...form.querySelectorAll('input[type=radio][required]')].find(shown);
const empty = fields.find(e => required(e) && e.tagName !== 'SELECT')
    || fields.find(e => required(e) && e.tagName === 'SELECT' && [...e.options].some(o => o.value === ''))
    || radio;
if (!empty) return {skip: 'no required field', action: form.getAttribute('action')};
if (empty === radio) for (const r of form.querySelectorAll(`input[type=radio][name="${radio.name}"]`)) r.checked = false;
const typed = {};
let n = 0;
for (const e of fields) {
  if (e === empty) { e.value = ''; continue; }
  if (e.tagName === 'SELECT') {
    const choices = [...e.options].filter(o => o.value !== '');
    if (choices.length < 2) continue;
    e.value = choices[choices.length - 1].value;
  } else if (e.type === 'number') { e.value = String(7 + n);
  } else if (e.type === 'date') { e.value = '2026-03-0' + (1 + n % 9);
  } else if (e.type === 'month') { e.value = '2026-0' + (1 + n % 9);
  } else { e.value = '保留' + form.getAttribute('action').length + '-' + n; }
  typed[e.name] = e.value;
  n += 1;
}
if (Object.keys(typed).length === 0) return {skip: 'nothing to keep besides ' + empty.name, action: form.getAttribute('action')};
const buttons = [...form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]')].filter(shown);
form.noValidate = true;
for (const e of form.querySelectorAll('[required]')) e.required = false;
window.__formErrorsOld = true;
const button = buttons[buttons.length - 1];
form.requestSubmit(button || undefined);
return {action: form.getAttribute('action'), empty: empty.name, typed: typed,
        button: button ? button.textContent.trim() : ''};
"""

# On the page that came back: the form with the same action, the value of each field, and the errors shown.
READ = r"""
const action = arguments[0];
const form = [...document.querySelectorAll('form')].find(f => f.getAttribute('action') === action && f.method.toLowerCase() === 'post');
const errors = [...document.querySelectorAll('.error, .alert-error')].map(e => e.textContent.trim()).filter(t => t);
const ok = [...document.querySelectorAll('.alert-ok')].map(e => e.textContent.trim());
if (!form) return {form: false, errors: errors, ok: ok};
const values = {};
for (const e of form.querySelectorAll('input, textarea, select')) if (e.name && !(e.name in values)) values[e.name] = e.value;
return {form: true, values: values, errors: errors, ok: ok};
"""

COUNT = r"""
return [...document.querySelectorAll('form')].filter(f => f.method.toLowerCase() === 'post'
    && f.offsetParent !== null).length;
"""


def check_forms(b, paths, check):
    """Runs the error path of every POST form on `paths` (opened in `b`). Returns (checked, skipped)
    as lists of descriptions; a form that loses a value, accepts the empty field or shows no error fails."""
    checked, skipped = [], []
    for path in paths:
        b.open(path)
        b.find("body", path)
        count = b.d.execute_script(COUNT)
        check(count > 0, f"{path}: no form to check")
        for index in range(count):
            b.open(path)
            b.find("body", path)
            sent = b.d.execute_script(FILL, index)
            if "skip" in sent:
                if not sent.get("action", "").endswith("/logout"):
                    skipped.append(f"{path} {sent.get('action', '')}: {sent['skip']}")
                continue
            where = f"{path} form {sent['action']} (“{sent['button']}”, {sent['empty']} left empty)"
            b.wait(lambda d: d.execute_script("return window.__formErrorsOld === undefined && document.readyState === 'complete'"),
                   f"the answer to {where}")
            back = b.d.execute_script(READ, sent["action"])
            check(not back["ok"], f"{where}: accepted ({back['ok']})")
            check(back["form"], f"{where}: the form is not on the page that came back ({b.path()})")
            check(back["errors"], f"{where}: no error shown")
            lost = {name: (value, back["values"].get(name)) for name, value in sent["typed"].items()
                    if back["values"].get(name) != value}
            check(not lost, f"{where}: lost what was typed (typed, shown): {lost}")
            checked.append(f"{sent['action']} ({len(sent['typed'])} kept, {back['errors'][0][:24]})")
    return checked, skipped


def console_paths(b):
    """The console's forms as the county cadre sees them: ids come from the pages themselves."""
    b.open("/admin/members")
    member = b.find("table.data tbody tr a[href^='/admin/members/']", "a member in the list").get_attribute("href")
    member = member[len(b.base):]
    b.open("/admin/work-orders?queue=subtree&status=accepted")
    order = b.find("#queue-table a[href^='/admin/work-orders/']", "an order in hand in the county").get_attribute("href")
    order = order[len(b.base):]
    b.open("/admin/orgs")
    county = b.find("a.name[href^='/admin/orgs/']", "the county in the tree").get_attribute("href")[len(b.base):]
    b.open("/admin/accounts")
    account = b.find("table.data tbody tr a[href^='/admin/accounts/']", "an account in the list").get_attribute("href")
    return ["/admin/members/new", member, member + "/edit", "/admin/transfers", "/admin/applications", "/admin/claims",
            "/admin/work-orders/new?channel=hotline", order, "/admin/accounts/new",
            account[len(b.base):], county + "/new", county + "/edit", "/admin/me"]


SITE_SIGNED_OUT = ["/me/register", "/me/login", "/me/password/reset"]
SITE_MEMBER = ["/me/profile", "/me/transfer?unionq=正定", "/me/requests/new", "/me/password", "/me/data"]

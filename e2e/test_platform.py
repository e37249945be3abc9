"""Set-up → sign in → department, employee and role → the employee sees only what the scope allows."""
import re

from playwright.sync_api import expect


def sign_in(page, url, account, password):
    page.goto(f"{url}/login")
    page.fill("#f-account", account)
    page.fill("#f-password", password)
    page.click("button[type=submit].btn-primary")


def test_setup_admin_and_scoped_employee(page, browser, fresh_server, shots):
    url = fresh_server
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.screenshot(path=str(shots / "01-setup.png"), full_page=True)

    # Bad input keeps what was typed and says what is wrong.
    page.fill("#f-company", "东方贸易")
    page.fill("#f-adminName", "王总")
    page.fill("#f-account", "boss")
    page.fill("#f-password", "short")
    page.click("button[type=submit]")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("#e-password")).to_be_visible()
    expect(page.locator("#f-adminName")).to_have_value("王总")
    expect(page.locator("#f-company")).to_have_value("东方贸易")
    page.screenshot(path=str(shots / "02-setup-errors.png"), full_page=True)

    page.fill("#f-company", "东方贸易有限公司")
    page.fill("#f-password", "boss12345")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.screenshot(path=str(shots / "03-login.png"), full_page=True)

    sign_in(page, url, "boss", "boss12345")
    expect(page.locator("h1")).to_contain_text("王总")
    page.screenshot(path=str(shots / "04-home.png"), full_page=True)

    # A department under the company.
    page.click("a.nav-item[href='/admin/departments']")
    page.fill("#f-name", "华东销售部")
    page.select_option("#f-parentID", label="东方贸易有限公司")
    page.click("button:has-text('新建')")
    expect(page.locator("table.data")).to_contain_text("华东销售部")
    page.screenshot(path=str(shots / "05-departments.png"), full_page=True)

    # A role that sees only its own customers, with phones masked.
    page.goto(f"{url}/admin/roles/new")
    page.fill("#f-name", "业务员")
    page.select_option("select[name='scope.customers']", "own")
    page.select_option("select[name='rule.customers.phone']", "masked")
    page.screenshot(path=str(shots / "06-role-matrix.png"), full_page=True)
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()

    # An employee in that department with that role.
    page.goto(f"{url}/admin/employees/new")
    page.fill("#f-account", "xiao.li")
    page.fill("#f-name", "小李")
    page.fill("#f-password", "xiaoli123")
    dept = page.locator("#f-departmentID option", has_text="华东销售部").get_attribute("value")
    page.select_option("#f-departmentID", dept)
    page.check("label.check:has-text('业务员') input")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.screenshot(path=str(shots / "07-employee.png"), full_page=True)

    # Two customers: one for the boss, one given to 小李.
    for name, owner, phone in (("老板的客户", None, "13812345670"), ("小李的客户", "小李", "13812345678")):
        page.goto(f"{url}/customers/new")
        page.fill("#f-name", name)
        page.fill("#f-phone", phone)
        if owner:
            page.select_option("#f-ownerID", label=owner)
        page.click("button:has-text('保存')")
        expect(page.locator("h1")).to_have_text(name)
    page.goto(f"{url}/customers")
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    page.screenshot(path=str(shots / "08-customers-admin.png"), full_page=True)

    # 小李 signs in elsewhere and sees only his own customer, phone masked, and no admin menu.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    rep = context.new_page()
    sign_in(rep, url, "xiao.li", "xiaoli123")
    expect(rep.locator("a.nav-item[href='/admin/departments']")).to_have_count(0)
    rep.goto(f"{url}/customers")
    rows = rep.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("小李的客户")
    expect(rows.first).to_contain_text("138****5678")
    rep.screenshot(path=str(shots / "09-customers-rep.png"), full_page=True)
    # Another's customer by address: not found.
    boss_customer = page.locator("table.data tbody a", has_text="老板的客户").get_attribute("href")
    response = rep.goto(f"{url}{boss_customer}")
    assert response.status == 404
    rep.screenshot(path=str(shots / "10-not-found.png"), full_page=True)
    # The admin area is refused.
    assert rep.goto(f"{url}/admin/employees").status == 403
    # On a phone the menu folds away.
    rep.set_viewport_size({"width": 390, "height": 844})
    rep.goto(f"{url}/customers")
    rep.screenshot(path=str(shots / "11-phone.png"), full_page=True)
    context.close()


def test_demo_company_detail_history_and_recycle_bin(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "admin", "guanxi123")
    page.goto(f"{url}/customers?q=新能源")
    first = page.locator("table.data tbody a").first
    name = first.inner_text()
    first.click()
    page.click("a:has-text('编辑')")
    page.fill("#f-name", name + "（改）")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#history")).to_contain_text(name + "（改）")
    page.screenshot(path=str(shots / "12-customer-detail.png"), full_page=True)

    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('删除')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(f"{url}/admin/recycle-bin")
    expect(page.locator("table.data")).to_contain_text(name + "（改）")
    page.screenshot(path=str(shots / "13-recycle-bin.png"), full_page=True)
    page.locator("tr", has_text=name + "（改）").locator("button:has-text('还原')").click()
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(f"{url}/admin/login-records")
    expect(page.locator("table.data")).to_contain_text("admin")
    page.goto(f"{url}/admin/online")
    page.screenshot(path=str(shots / "14-online.png"), full_page=True)


def test_english_interface(page, demo_server, shots):
    url = demo_server
    page.goto(f"{url}/login")
    page.click("button:has-text('English')")
    expect(page.locator("button[type=submit].btn-primary")).to_have_text("Sign in")
    sign_in(page, url, "li.na", "guanxi123")
    # No language saved for the user yet: the one picked before signing in carries on.
    page.goto(f"{url}/customers")
    expect(page.locator("h1")).to_have_text("Customers")
    page.screenshot(path=str(shots / "15-english.png"), full_page=True)
    # Saved in the profile, the choice wins over the browser.
    page.goto(f"{url}/profile")
    page.select_option("#f-locale", "zh-Hans")
    page.click("form[action='/profile/language'] button[type=submit]")
    page.goto(f"{url}/customers")
    expect(page.locator("h1")).to_have_text("客户")

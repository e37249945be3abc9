"""The screens reps live in: pool claim, collision warning, import with preview and progress, 360 view, charts."""
import pathlib
import re
import tempfile

from playwright.sync_api import expect


def sign_in(page, url, account, password="guanxi123"):
    page.goto(f"{url}/login")
    page.fill("#f-account", account)
    page.fill("#f-password", password)
    page.click("button[type=submit].btn-primary")
    expect(page.locator(".topbar")).to_be_visible()


def test_pool_claim_and_collision_warning(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhao.lei")
    page.click("a.nav-item[href='/pools']")
    page.locator("a.stat").first.click()
    page.screenshot(path=str(shots / "20-pool.png"), full_page=True)
    first = page.locator("table.data tbody tr").first
    name = first.locator("a").inner_text()
    first.locator("input[type=checkbox]").check()
    page.click("button:has-text('领用选中')")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text(name)

    # Creating a customer that another rep already has: warned, input kept, then saved on confirmation.
    page.goto(f"{url}/customers?q=%E4%B8%8A%E6%B5%B7")
    page.goto(f"{url}/customers/new")
    page.fill("#f-name", "北京新能源科技有限公司")
    page.fill("#f-phone", "13800001234")
    page.click("button:has-text('保存')")
    expect(page.locator("#collisions")).to_be_visible()
    expect(page.locator("#f-phone")).to_have_value("13800001234")
    page.screenshot(path=str(shots / "21-collision.png"), full_page=True)
    page.check("input[name=confirmDuplicate]")
    page.click("button:has-text('保存')")
    expect(page.locator("h1")).to_contain_text("北京新能源科技有限公司")

    # The 360 view: add a contact without leaving the page.
    if page.locator("#contacts details.quick-add[open]").count() == 0:
        page.click("summary:has-text('添加联系人')")
    page.fill("#contacts input[name=name]", "李经理")
    page.fill("#contacts input[name=mobile]", "13911112222")
    page.click("#contacts button:has-text('新建')")
    expect(page.locator("#contacts")).to_contain_text("李经理")
    expect(page.locator("#contacts")).to_contain_text("首要联系人")
    page.screenshot(path=str(shots / "22-customer-360.png"), full_page=True)

    # The relationship map: the new contact reports to a second one.
    page.click("summary:has-text('添加联系人')")
    page.fill("#contacts input[name=name]", "王总")
    page.click("#contacts button:has-text('新建')")
    expect(page.locator("#contacts")).to_contain_text("王总")
    page.select_option("#relations select[name=fromContactID]", label="李经理")
    page.select_option("#relations select[name=kind]", "reportsTo")
    page.select_option("#relations select[name=toContactID]", label="王总")
    page.click("#relations button:has-text('添加关系')")
    expect(page.locator("#relations .relation-list")).to_contain_text("李经理→ 汇报给 →王总")
    expect(page.locator("#relations svg.relation-map")).to_be_visible()
    page.locator("#relations").screenshot(path=str(shots / "23-relation-map.png"))


def test_import_with_preview_and_progress(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "zhang.wei")
    rows = ["客户名称,电话,行业,客户级别,区域,负责人"]
    for i in range(1, 401):
        rows.append(f"导入测试客户{i:03d},1390000{i:04d},制造业,B 普通客户,广东,zhao.lei")
    rows.append("导入测试客户401,bad-phone,航天飞机,,火星,nobody")
    path = pathlib.Path(tempfile.mkdtemp()) / "客户导入.csv"
    path.write_bytes("\r\n".join(rows).encode("gb18030"))
    page.goto(f"{url}/customers/import")
    page.set_input_files("#f-file", str(path))
    page.click("button:has-text('上传')")
    expect(page.locator("select[name=col0]")).to_have_value("name")
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview .flash-error")).to_contain_text("第 402 行")
    page.screenshot(path=str(shots / "23-import-errors.png"), full_page=True)
    # Fix the file and upload again: now it goes through.
    path.write_bytes("\r\n".join(rows[:-1]).encode("gb18030"))
    page.goto(f"{url}/customers/import")
    page.set_input_files("#f-file", str(path))
    page.click("button:has-text('上传')")
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("新建 400 个")
    page.screenshot(path=str(shots / "24-import-preview.png"), full_page=True)
    page.click("button:has-text('开始导入')")
    expect(page.locator("h2")).to_have_text(re.compile("导入完成|正在导入"))
    page.screenshot(path=str(shots / "25-import-progress.png"), full_page=True)
    expect(page.locator("h2")).to_have_text("导入完成", timeout=30000)
    expect(page.locator(".stat").first).to_contain_text("400")
    page.screenshot(path=str(shots / "26-import-done.png"), full_page=True)


def test_statistics_charts(page, demo_server, shots):
    url = demo_server
    sign_in(page, url, "admin")
    page.goto(f"{url}/customers/stats?from=2020-01-01&to=2035-12-31")
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 8
    page.screenshot(path=str(shots / "27-statistics.png"), full_page=True)
    page.goto(f"{url}/search?q=bjxny")
    page.screenshot(path=str(shots / "28-search.png"), full_page=True)

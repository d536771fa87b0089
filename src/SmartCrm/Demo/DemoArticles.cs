using SmartCrm.Knowledge;

namespace SmartCrm.Demo;

/// <summary>
/// The demo company's help articles, in English and Chinese, about its own products (thermostats, purifiers and their filters,
/// water heaters and leak sensors, the hub, service plans) and the questions customers ask most: setup, leak alarms, filter
/// changes, returns and refunds, billing. Each paragraph is one answer and starts with the question customers ask (as a
/// FAQ does), so the FAQ assistant answers their words with it.
/// </summary>
public static class DemoArticles
{
    private static readonly (string Language, string Category, string Title, string Body)[] All =
    [
        ("en", "Setup", "How do I set up the Home Hub?",
            "Plug the hub into power and into your router with the network cable, then open the SmartCrm Home app and tap Add hub. The light turns solid green when the hub is online."),
        ("en", "Setup", "How do I pair a device with the hub?",
            "Put the device in pairing mode (hold its button for five seconds until it blinks blue) and tap Add device in the app. Keep the device within ten metres of the hub while pairing."),
        ("en", "Setup", "Why does the hub light blink red?",
            "The hub has no internet connection: check the cable and your router, then restart the hub by unplugging it for ten seconds."),
        ("en", "Setup", "How do I reset the hub to factory settings?",
            "Hold the reset button on the back of the hub for fifteen seconds until the light flashes white. All paired devices must then be paired again."),
        ("en", "Setup", "How do I install the thermostat?",
            "Switch off the heating at the breaker before you remove the old thermostat. Label the wires, mount the Aura base plate, connect the wires to the matching terminals and click the display onto the base."),
        ("en", "Setup", "How do I connect the thermostat to Wi-Fi?",
            "The thermostat asks for your Wi-Fi network when it starts. Choose the network, type the password and the thermostat appears in the app within a minute."),
        ("en", "Setup", "Why is my thermostat offline?",
            "Check that your Wi-Fi reaches it, then restart the thermostat by holding the display for ten seconds. A thermostat without Wi-Fi keeps heating on its last schedule."),
        ("en", "Setup", "What is the wall plate for?",
            "The Thermostat Wall Plate covers the marks the old thermostat left on the wall; it clips under the base plate."),
        ("en", "Setup", "How do I pair the room sensor?",
            "Pull the battery tab of the Aura Room Sensor, then press its button once. In the app open the thermostat, tap Sensors and Add sensor; the sensor is found within a minute."),
        ("en", "Setup", "Where should I put the room sensor?",
            "Away from radiators, windows and direct sun, about 1.5 metres above the floor, so it measures the room and not a draft."),
        ("en", "Setup", "How long does the room sensor battery last?",
            "The battery (CR2477) lasts about two years. The app warns you when it runs low."),
        ("en", "Water heaters", "What happens when the leak sensor finds water?",
            "The Leak Sensor sounds an alarm, the app sends you a notification and the Flow water heater closes its inlet valve so no more water comes in."),
        ("en", "Water heaters", "What should I do when the water heater leak alarm goes off?",
            "Switch off the heater's power, wipe the floor dry, dry the leak sensor with a cloth and look for the source of the water (a dripping pipe joint or the pressure relief valve)."),
        ("en", "Water heaters", "How do I clear or reset the leak alarm?",
            "Dry the sensor and press its button once; the heater opens its valve again. If the alarm comes back, please open a fault ticket: an engineer will check the heater."),
        ("en", "Water heaters", "Why does the leak sensor keep alarming when the floor is dry?",
            "Its battery may be weak. Replace the battery (CR2032) and press the button to test it."),
        ("en", "Water heaters", "What does error E4 on the water heater mean?",
            "The water temperature sensor reads out of range. Switch the heater off for one minute and on again; if E4 shows again, open a fault ticket."),
        ("en", "Water heaters", "What does error E2 on the water heater mean?",
            "The heater found scale on the element. Book the Annual Heater Maintenance or descale the tank as the manual describes."),
        ("en", "Water heaters", "When do I replace the anode rod?",
            "Every two to three years, with the Anode Rod Kit; in hard-water areas check it every year. The anode protects the tank from rust."),
        ("en", "Water heaters", "What does the Annual Heater Maintenance include?",
            "A yearly visit: descaling, an anode check and a safety valve test."),
        ("en", "Filters", "How often should I change the purifier filter?",
            "Every six months, or when the app or the purifier's filter light tells you to. The Breeze 300 takes the HEPA Filter 300; the Breeze 600 takes the HEPA + Carbon Filter 600."),
        ("en", "Filters", "How do I change the filter of my purifier?",
            "Switch the purifier off, open the back cover, pull the old filter out by its tab, remove the plastic wrap from the new filter and slide it in with the arrow pointing to the fan."),
        ("en", "Filters", "How do I reset the filter light after changing the filter?",
            "Hold the filter button for three seconds until the light goes out, or tap Reset filter in the app."),
        ("en", "Filters", "What is the Filter Subscription?",
            "We send you a new filter every six months for a year, so you never miss a change."),
        ("en", "Filters", "Why is my purifier making a loud noise?",
            "A loud or rattling fan usually means the filter is not seated properly or is clogged. Reseat or change the filter; if the noise stays, open a fault ticket."),
        ("en", "Filters", "What does the PM2.5 reading mean?",
            "It shows fine particles in the air. Below 12 µg/m³ the air is good; in auto mode the purifier runs faster when the reading goes up."),
        ("en", "Returns", "Can I return a product and get a refund?",
            "Yes: you can return any product within 30 days of delivery for a full refund, as long as it is complete and undamaged. Open a return request in your account or ask us in the chat."),
        ("en", "Returns", "How do I send a return back and when do I get my refund?",
            "We e-mail you a prepaid return label. Once the parcel arrives at our warehouse, we refund the price to your original payment method within five working days."),
        ("en", "Returns", "What if I received the wrong item or it arrived damaged?",
            "We send the right one at no cost and collect the other; you do not pay for the return."),
        ("en", "Returns", "Do I get a refund if I cancel the installation?",
            "Professional Installation is refunded in full if you cancel at least 24 hours before the visit."),
        ("en", "Billing", "Where can I find my invoice?",
            "Your invoices are in your account under Orders; each order has a PDF invoice. We also e-mail the invoice when the order ships."),
        ("en", "Billing", "I was charged twice for one order, what now?",
            "The second charge is usually a card authorisation that disappears within three to five days. If it is still there after five days, open a refund ticket and we refund it."),
        ("en", "Billing", "How do I change the billing address on an invoice?",
            "Send us the order number and the new address; we issue a corrected invoice."),
        ("en", "Billing", "How are service plans billed and can I cancel the renewal?",
            "Service plans are paid once a year in advance. You can cancel the renewal at any time in your account before the renewal date."),
        ("en", "Service plans", "How long is the warranty?",
            "Every device has a two-year warranty. The CareFree Plan extends it by one or three years and adds priority support and a replacement device within two working days if repair is not possible."),
        ("en", "Service plans", "How do I make a warranty claim?",
            "Open a fault ticket with the device's serial number and a short description of the problem. Our engineers often solve it remotely through the hub."),
        ("en", "Service plans", "Can I buy a CareFree Plan later?",
            "Yes, up to 60 days after the device was delivered."),
        ("en", "Orders", "When will my order arrive?",
            "Orders ship within two working days and delivery takes three to five working days. You receive a tracking link by e-mail when the parcel leaves our warehouse."),
        ("en", "Orders", "How do I change the delivery address of my order?",
            "Contact us before the order ships. Once shipped, the address can only be changed with the carrier through the tracking link."),
        ("zh-Hans", "设置", "家庭网关怎么设置？",
            "将网关接通电源，并用网线连接到路由器，然后打开 SmartCrm Home 应用，点击“添加网关”。网关指示灯常亮绿色表示已联网。"),
        ("zh-Hans", "设置", "设备怎么和网关配对？",
            "按住设备按钮五秒直到蓝灯闪烁，进入配对模式，然后在应用中点击“添加设备”。配对时设备与网关的距离请保持在十米以内。"),
        ("zh-Hans", "设置", "网关闪红灯怎么办？",
            "网关闪红灯表示没有网络连接：请检查网线和路由器，然后拔掉网关电源十秒后重新插上。"),
        ("zh-Hans", "设置", "网关怎么恢复出厂设置？",
            "按住网关背面的复位键十五秒，直到指示灯闪白光。之后所有设备需要重新配对。"),
        ("zh-Hans", "热水器", "漏水传感器检测到水会怎样？",
            "漏水传感器会发出警报，应用会推送通知，Flow 智能热水器会自动关闭进水阀，防止继续进水。"),
        ("zh-Hans", "热水器", "热水器漏水报警怎么办？",
            "请先关闭热水器电源，擦干地面，用布擦干漏水传感器，并检查漏水来源（水管接头滴水或泄压阀）。"),
        ("zh-Hans", "热水器", "漏水报警怎么解除？",
            "擦干传感器后按一下传感器按钮，热水器会重新打开进水阀。如果报警再次出现，请提交故障工单，我们会安排工程师上门检查。"),
        ("zh-Hans", "热水器", "地面是干的，漏水传感器为什么一直报警？",
            "可能是电池电量不足。请更换电池（CR2032）并按按钮测试。"),
        ("zh-Hans", "热水器", "热水器显示 E4 是什么意思？",
            "E4 表示水温传感器读数异常。请关机一分钟后重新开机；如果仍显示 E4，请提交故障工单。"),
        ("zh-Hans", "热水器", "热水器显示 E2 是什么意思？",
            "E2 表示加热管结垢。请预约年度热水器保养服务，或按说明书除垢。"),
        ("zh-Hans", "热水器", "镁棒多久更换一次？",
            "每两到三年更换一次（使用镁棒更换套件）；水质较硬的地区建议每年检查。镁棒可以防止内胆生锈。"),
        ("zh-Hans", "滤网", "净化器滤网多久更换一次？",
            "HEPA 滤网建议每六个月更换一次，或在应用及净化器滤网指示灯提示时更换。Breeze 300 使用 HEPA 滤网 300，Breeze 600 使用 HEPA + 活性炭滤网 600。"),
        ("zh-Hans", "滤网", "净化器怎么更换滤网？",
            "关闭净化器，打开后盖，拉住拉环取出旧滤网，拆掉新滤网的塑料包装，箭头朝向风扇方向装入。"),
        ("zh-Hans", "滤网", "更换滤网后怎么重置滤网指示灯？",
            "按住滤网按钮三秒直到指示灯熄灭，或在应用中点击“重置滤网”。"),
        ("zh-Hans", "滤网", "什么是滤网订阅服务？",
            "订阅后我们每六个月为您寄送一次新滤网，为期一年。"),
        ("zh-Hans", "退货", "可以退货退款吗？",
            "商品签收后 30 天内，如商品完好、配件齐全，可申请全额退货退款。请在账户中提交退货申请，或在在线客服中告诉我们。"),
        ("zh-Hans", "退货", "退货怎么寄回，退款多久到账？",
            "我们会通过电子邮件发送预付费退货标签。仓库收到退货后，五个工作日内原路退款。"),
        ("zh-Hans", "退货", "发错商品或商品损坏怎么办？",
            "我们免费补发正确的商品并上门取回，您无需承担退货运费。"),
        ("zh-Hans", "账单", "发票在哪里下载？",
            "发票可以在账户的“订单”中查看和下载，每个订单都有 PDF 发票。订单发货时我们也会通过电子邮件发送发票。"),
        ("zh-Hans", "账单", "重复扣款怎么办？",
            "同一订单的第二笔扣款通常是银行卡预授权，三到五天内会自动撤销。五天后仍未撤销，请提交退款工单，我们会为您退款。"),
        ("zh-Hans", "账单", "服务计划怎么收费，可以取消续费吗？",
            "服务计划按年预付。您可以在续费日期前随时在账户中取消自动续费。"),
        ("zh-Hans", "服务计划", "保修期多久？",
            "所有设备均享受两年保修。无忧服务计划可将保修延长一年或三年，并提供优先支持；无法维修时，两个工作日内更换新设备。"),
        ("zh-Hans", "服务计划", "怎么申请保修？",
            "请提交故障工单，并提供设备序列号和问题描述。我们的工程师通常可以通过网关远程解决问题。"),
    ];

    /// <summary>
    /// Other ways customers put the same questions. The demo's agents marked the assistant's answers to them helpful, so the
    /// assistant has learned them (Knowledge/AnswerLearning): a prose answer is far from a short question in TF-IDF terms
    /// (an article whose title is the very question scores about 0.5), and these marks are how a company teaches it its
    /// customers' words.
    /// </summary>
    private static readonly Dictionary<string, string[]> AskedAs = new()
    {
        ["How do I change the filter of my purifier?"] = ["How do I change the purifier filter?", "how to replace the HEPA filter", "filter change on the Breeze purifier"],
        ["What should I do when the water heater leak alarm goes off?"] = ["My water heater leak alarm went off, what should I do?", "the leak sensor is alarming", "water heater leaking alarm"],
        ["Can I return a product and get a refund?"] = ["I want to return the purifier and get a refund", "how do I return an item", "can I get my money back"],
        ["I was charged twice for one order, what now?"] = ["I was charged twice for one order", "double charge on my card", "charged two times"],
        ["How do I reset the hub to factory settings?"] = ["how to factory reset the home hub", "reset the hub"],
        ["What does error E4 on the water heater mean?"] = ["The water heater shows error E4", "E4 error on the heater"],
        ["How do I pair the room sensor?"] = ["pair the room sensor with the thermostat", "connect the room sensor"],
        ["Why is my thermostat offline?"] = ["my thermostat is offline", "thermostat shows offline in the app"],
        ["Where can I find my invoice?"] = ["where is my invoice", "I need an invoice for my order"],
        ["When will my order arrive?"] = ["where is my order", "delivery time"],
        ["How long is the warranty?"] = ["what does the warranty cover", "is my device still under warranty"],
        ["Why does the hub light blink red?"] = ["the hub light is blinking red", "hub has a red light"],
        ["热水器漏水报警怎么办？"] = ["热水器漏水了", "漏水传感器报警"],
        ["净化器怎么更换滤网？"] = ["怎么换滤网", "净化器滤网更换"],
        ["可以退货退款吗？"] = ["我想退货退款", "怎么退货"],
        ["重复扣款怎么办？"] = ["被重复扣款了", "扣了两次钱"],
        ["发票在哪里下载？"] = ["我需要发票", "发票在哪里"],
        ["保修期多久？"] = ["保修多长时间", "还在保修期吗"],
    };

    /// <summary>The demo agents' helpful marks: each article's own question, and the other ways customers ask it.</summary>
    public static IEnumerable<AnswerFeedback> Marks(IReadOnlyList<Article> articles, DateTime now)
    {
        string[] agents = ["lena", "omar", "mei", "jonas", "priya"];
        var i = 0;
        foreach (var article in articles)
        {
            foreach (var question in AskedAs.GetValueOrDefault(article.Title, []).Prepend(article.Title))
            {
                yield return new AnswerFeedback
                {
                    ArticleId = article.Id, Question = question, Passage = article.Body, Helpful = true, GivenBy = agents[i++ % agents.Length], GivenAt = now.AddDays(-i),
                };
            }
        }
    }

    /// <summary>The articles, each saved once (version 1), published.</summary>
    public static IEnumerable<Article> Create(DateTime now) =>
        All.Select(a => new Article
        {
            Title = a.Title, Body = a.Body, Category = a.Category, Language = a.Language, Version = 1, Published = true, CreatedAt = now, UpdatedAt = now,
            Versions = [new ArticleVersion { Version = 1, Title = a.Title, Body = a.Body, Category = a.Category, Language = a.Language, SavedAt = now }],
        });
}

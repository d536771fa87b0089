using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

/// <summary>
/// Tickets written for these tests, with the category a person would give them; none of them is in the seed set. The Chinese
/// ones test the path without a word segmenter (character n-grams).
/// </summary>
public static class LabelledTickets
{
    public static readonly IReadOnlyList<LabelledText> Chinese =
    [
        new("这个月的账单扣了我两次钱", "billing"),
        new("发票金额和订单金额对不上", "billing"),
        new("为什么信用卡被多扣了一笔费用", "billing"),
        new("我的快递到现在还没收到", "delivery"),
        new("物流信息好几天没有更新了", "delivery"),
        new("包裹什么时候能送到", "delivery"),
        new("设备突然开不了机", "fault"),
        new("传感器一直显示故障代码", "fault"),
        new("机器运行时噪音很大然后停止了", "fault"),
        new("我要退款，钱什么时候退回", "refund"),
        new("退款申请提交一周了还没到账", "refund"),
        new("订单取消了请退款给我", "refund"),
        new("商品不想要了怎么退货", "return"),
        new("我想把这个商品换成别的型号", "return"),
        new("请告诉我退货包裹寄到哪个地址", "return"),
        new("忘记密码了怎么重置", "account"),
        new("账户登录不了一直提示错误", "account"),
        new("我想修改账户绑定的邮箱", "account"),
        new("怎么把设备连接到家里的WiFi", "how-to"),
        new("应用里怎么设置定时开关", "how-to"),
        new("有没有这个型号的说明书", "how-to"),
        new("客服态度非常差，我要投诉", "complaint"),
        new("打了好几次电话都没人解决问题，太失望了", "complaint"),
        new("你们的服务是我见过最差的", "complaint"),
    ];

    public static readonly IReadOnlyList<LabelledText> English =
    [
        new("You billed my card twice this month", "billing"),
        new("The invoice total does not match my order", "billing"),
        new("There is an unexpected charge on my statement", "billing"),
        new("Why did my monthly fee go up?", "billing"),
        new("My order still has not arrived after ten days", "delivery"),
        new("Tracking has not moved since Monday", "delivery"),
        new("The parcel went to my neighbour's address", "delivery"),
        new("When do you ship my order?", "delivery"),
        new("The heater will not turn on at all", "fault"),
        new("Sensor shows error code E7 and stopped reporting", "fault"),
        new("The unit beeps loudly and shuts down", "fault"),
        new("The display is blank and the light blinks red", "fault"),
        new("Please give me my money back", "refund"),
        new("My refund has still not reached my bank", "refund"),
        new("I cancelled, please refund the subscription", "refund"),
        new("How long does a refund take?", "refund"),
        new("I would like to return this product", "return"),
        new("Can I exchange it for a bigger size?", "return"),
        new("Please email me a return shipping label", "return"),
        new("Where do I send the item back?", "return"),
        new("I forgot my password and cannot reset it", "account"),
        new("My login is locked", "account"),
        new("Please update the email on my profile", "account"),
        new("I never get the SMS verification code", "account"),
        new("How do I connect it to the wifi network?", "how-to"),
        new("How can I set a heating schedule in the app?", "how-to"),
        new("Where can I find the user manual?", "how-to"),
        new("How do I pair a new sensor?", "how-to"),
        new("The agent on the phone was very rude", "complaint"),
        new("Worst customer service ever, nobody helps", "complaint"),
        new("I am disappointed, five emails and no answer", "complaint"),
        new("I want to complain to a manager about your staff", "complaint"),
    ];
}

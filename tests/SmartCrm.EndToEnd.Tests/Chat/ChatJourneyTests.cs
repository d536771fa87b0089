using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Chat;

/// <summary>
/// Issue 12's done-when in a browser: a customer writes on the chat page, the assistant answers from the demo's articles, the
/// customer asks for a person; the agent sees the chat in the chat console categorised, prioritised with reasons and threaded to
/// the customer's ticket, answers (the customer sees it without reloading) and closes the ticket.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatJourneyTests(RunningCrm crm)
{
    [Fact]
    public async Task A_customer_chats_the_agent_sees_it_triaged_and_threaded_answers_and_closes_it()
    {
        var agent = await crm.SignedInPageAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var customer = (await Api.PostAsync(agent, "/api/v1/customers", new { name = "Wang Fang", email })).GetProperty("id").GetInt64();

        var visitorContext = await crm.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = crm.BaseUrl, Locale = "en-US", ViewportSize = new ViewportSize { Width = 1000, Height = 900 } });
        visitorContext.SetDefaultTimeout(60_000);
        var visitor = await visitorContext.NewPageAsync();
        await visitor.GotoAsync("/chat");
        (await visitor.Locator("header nav").CountAsync()).ShouldBe(0, "the chat page needs no sign-in and shows no console");
        await RunningCrm.ScreenshotAsync(visitor, "60-chat-empty");

        await visitor.FillAsync("input[name=name]", "Wang Fang");
        await visitor.FillAsync("input[name=email]", email);
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await visitor.Locator("[data-chat-identified]").WaitForAsync();

        await visitor.FillAsync("textarea[name=text]", "How do I change the filter of my purifier?");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var answer = visitor.Locator("[data-line=Assistant]");
        await answer.WaitForAsync();
        (await answer.InnerTextAsync()).ShouldContain("Source: How do I change the filter of my purifier?");
        await RunningCrm.ScreenshotAsync(visitor, "61-chat-assistant-answered");

        await visitor.FillAsync("textarea[name=text]", "The new filter does not fit, the purifier stopped working and smells of smoke. This is urgent, my baby has asthma. <b>Help</b>");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Talk to a person" }).ClickAsync();
        var handoff = visitor.Locator("[data-handoff]");
        await handoff.WaitForAsync();
        var ticket = long.Parse((await handoff.GetAttributeAsync("data-handoff"))!);
        (await visitor.Locator("[data-line=Customer]").Last.InnerTextAsync()).ShouldContain("<b>Help</b>", Case.Sensitive, "markup is shown as text");
        await RunningCrm.ScreenshotAsync(visitor, "62-chat-handed-to-a-person");

        var threaded = await Api.GetAsync(agent, $"/api/v1/tickets/{ticket}");
        (threaded.GetProperty("customerId").GetInt64(), threaded.GetProperty("channel").GetString()).ShouldBe((customer, "chat"), "threaded into the customer's own ticket");

        await agent.GotoAsync("/service/chat");
        var row = agent.Locator($"[data-chat-ticket='{ticket}']");
        await row.WaitForAsync();
        (await row.Locator("[data-category]").InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        (await row.Locator("[data-priority]").GetAttributeAsync("data-priority")).ShouldBeOneOf("High", "Urgent");
        (await row.Locator("[data-reasons]").InnerTextAsync()).ShouldContain("urgent", Case.Insensitive);
        (await row.Locator("[data-waiting]").CountAsync()).ShouldBe(1);
        await row.Locator("[data-chat-open]").ClickAsync();
        await agent.WaitForURLAsync(new Regex($"ticket={ticket}$"));
        (await agent.Locator("[data-customer-link]").InnerTextAsync()).ShouldBe("Wang Fang");
        (await agent.Locator("[data-ticket-link]").GetAttributeAsync("href")).ShouldBe($"/tickets/{ticket}");
        (await agent.Locator("[data-unverified]").InnerTextAsync()).ShouldBe("Unverified identity", "the visitor typed the address: the agent is told");
        await RunningCrm.ScreenshotAsync(agent, "63-chat-console-waiting");

        await agent.Locator("[data-line=Assistant] [data-mark] button", new() { HasTextString = "Helpful" }).First.ClickAsync();
        await agent.Locator("[data-marked=helpful]").WaitForAsync();

        await agent.FillAsync("textarea[name=Body]", "Sorry about that! A replacement filter goes out today; the noise stops once it is seated.");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await agent.Locator("[data-line=Agent]").WaitForAsync();

        // The customer's page was not reloaded: the answer arrives over the live view.
        var reply = visitor.Locator("[data-line=Agent]");
        await reply.WaitForAsync();
        (await reply.InnerTextAsync()).ShouldContain("A replacement filter goes out today");
        await RunningCrm.ScreenshotAsync(visitor, "64-chat-customer-sees-the-answer");

        await agent.GetByRole(AriaRole.Button, new() { Name = "Close ticket" }).ClickAsync();
        await agent.Locator("[data-status]", new() { HasTextString = "Closed" }).WaitForAsync();
        (await agent.Locator($"[data-chat-ticket='{ticket}']").CountAsync()).ShouldBe(0, "a closed chat leaves the list");
        await RunningCrm.ScreenshotAsync(agent, "65-chat-console-closed");
        await visitor.Locator("[data-chat-closed]").WaitForAsync();
        await RunningCrm.ScreenshotAsync(visitor, "66-chat-customer-closed");
        (await Api.GetAsync(agent, $"/api/v1/tickets/{ticket}")).GetProperty("status").GetString().ShouldBe("Closed");
        await visitorContext.CloseAsync();
    }

    [Fact]
    public async Task The_chat_page_answers_in_chinese_from_the_chinese_articles()
    {
        var context = await crm.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = crm.BaseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1000, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/chat");
        await page.FillAsync("textarea[name=text]", "热水器漏水报警怎么办？");
        await page.GetByRole(AriaRole.Button, new() { Name = "发送", Exact = true }).ClickAsync();
        var answer = page.Locator("[data-line=Assistant]");
        await answer.WaitForAsync();
        (await answer.InnerTextAsync()).ShouldContain("热水器漏水报警怎么办");
        await RunningCrm.ScreenshotAsync(page, "67-chat-zh");
        await context.CloseAsync();
    }
}

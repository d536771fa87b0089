using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace SmartCrm.Service;

/// <summary>Email replies through the configured SMTP server (MailKit), one connection per message.</summary>
public sealed class EmailAdapter(IOptions<OutboundOptions> options) : IChannelAdapter
{
    public bool Serves(string channel) => channel == "email" && !string.IsNullOrWhiteSpace(options.Value.Smtp.Host);

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From!));
        mail.To.Add(MailboxAddress.Parse(message.Recipient));
        mail.Subject = message.Subject;
        // One Message-ID per outbox row: a retry after a lost acknowledgement is the same email to the receiving side.
        mail.MessageId = $"outbound-{message.Id}.ticket-{message.TicketId}@smartcrm";
        mail.Body = new TextPart("plain") { Text = message.Body };
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName)) await client.AuthenticateAsync(smtp.UserName, smtp.Password!, cancellationToken);
        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }
}

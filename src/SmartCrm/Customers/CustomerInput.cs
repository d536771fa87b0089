using System.ComponentModel.DataAnnotations;
using SmartCrm.Records;

namespace SmartCrm.Customers;

public sealed record CustomerInput
{
    public CustomerKind? Kind { get; set; }
    [Required, MaxLength(200)] public string? Name { get; set; }
    [EmailOrBlank, MaxLength(254)] public string? Email { get; set; }
    [PhoneOrBlank, MaxLength(40)] public string? Phone { get; set; }
    [MaxLength(200)] public string? Company { get; set; }
    [MaxLength(2), RegularExpression("^[A-Za-z]{2}$", ErrorMessage = "Use a two-letter ISO 3166 country code.")] public string? Country { get; set; }
    [MaxLength(100)] public string? City { get; set; }
    [MaxLength(300)] public string? Address { get; set; }
    [MaxLength(20), EachMaxLength(40)] public List<string>? Tags { get; set; }

    public Customer ToCustomer()
    {
        var customer = new Customer { Name = "" };
        ApplyTo(customer);
        return customer;
    }

    public void ApplyTo(Customer customer)
    {
        customer.Kind = Kind ?? CustomerKind.Person;
        customer.Name = Name!.Trim();
        customer.Email = Normalise.Email(Email);
        customer.Phone = Normalise.Text(Phone);
        customer.Company = Normalise.Text(Company);
        customer.Country = Normalise.Text(Country)?.ToUpperInvariant();
        customer.City = Normalise.Text(City);
        customer.Address = Normalise.Text(Address);
        customer.Tags = Tags?.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length is > 0 and <= 40).Distinct().ToList() ?? [];
    }
}

public sealed record ContactInput
{
    [Required] public long? CustomerId { get; set; }
    [Required, MaxLength(200)] public string? Name { get; set; }
    [MaxLength(100)] public string? Title { get; set; }
    [EmailOrBlank, MaxLength(254)] public string? Email { get; set; }
    [PhoneOrBlank, MaxLength(40)] public string? Phone { get; set; }

    public void ApplyTo(Contact contact)
    {
        contact.CustomerId = CustomerId!.Value;
        contact.Name = Name!.Trim();
        contact.Title = Normalise.Text(Title);
        contact.Email = Normalise.Email(Email);
        contact.Phone = Normalise.Text(Phone);
    }
}

public sealed record ConsentInput
{
    [Required] public long? CustomerId { get; set; }
    [Required] public ConsentPurpose? Purpose { get; set; }
    [Required] public bool? Granted { get; set; }
    [MaxLength(100)] public string? Source { get; set; }

    public void ApplyTo(Consent consent)
    {
        consent.CustomerId = CustomerId!.Value;
        consent.Purpose = Purpose!.Value;
        consent.Granted = Granted!.Value;
        consent.Source = Normalise.Text(Source);
    }
}

public sealed record NoteInput
{
    [Required] public long? CustomerId { get; set; }
    [Required, MaxLength(4000)] public string? Body { get; set; }
}

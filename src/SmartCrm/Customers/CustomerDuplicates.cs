using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

/// <summary>Exact duplicates found at once, before a customer is created.</summary>
public static class CustomerDuplicates
{
    /// <summary>The id of a customer with exactly this email (after normalising), if any.</summary>
    public static async Task<long?> FindByEmailAsync(CrmDb db, string? email, CancellationToken cancellationToken)
    {
        var normalised = Normalise.Email(email);
        if (normalised is null) return null;
        return await db.Customers.Where(c => c.Email == normalised).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);
    }
}

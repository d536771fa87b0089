namespace SmartCrm.Storage;

/// <summary>
/// A column that holds a credential or its hash (password, API key, device token, provision secret, session key): the audit
/// log leaves it out, because the people who may read the audit log may not hold credentials, not even hashed ones.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

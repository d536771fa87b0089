using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Service;

/// <summary>
/// One skill of an agent: a queue's name, a triage category or a language ("zh-Hans"). Assignment by skill picks, among the
/// agents with a skill that matches the ticket, the least busy one.
/// </summary>
public sealed class AgentSkill
{
    public long Id { get; set; }
    [MaxLength(100)] public required string UserName { get; set; }
    [MaxLength(100)] public required string Skill { get; set; }
}

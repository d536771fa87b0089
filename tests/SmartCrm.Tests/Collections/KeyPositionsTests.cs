using SmartCrm.Collections;
using Shouldly;
using Xunit;

namespace SmartCrm.Tests.Collections;

public class KeyPositionsTests
{
    [Fact]
    public void A_key_finds_the_last_position_set_for_it()
    {
        long[] keys = [7, 9, 7, -3];
        var index = new KeyPositions();
        for (var i = 0; i < keys.Length; i++) index.Set(i, keys);
        index.Count.ShouldBe(3);
        index.TryGetPosition(7, keys, out var seven).ShouldBeTrue();
        seven.ShouldBe(2);
        index.TryGetPosition(-3, keys, out var negative).ShouldBeTrue();
        negative.ShouldBe(3);
        index.TryGetPosition(8, keys, out _).ShouldBeFalse();
    }

    [Fact]
    public void Key_zero_is_refused_because_it_means_no_key()
    {
        long[] keys = [0];
        Should.Throw<ArgumentException>(() => new KeyPositions().Set(0, keys)).Message.ShouldContain("KeyPositions.Set");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 50_000)]
    public void It_agrees_with_a_dictionary_through_many_doublings(int seed, int capacity)
    {
        var random = new Random(seed);
        var keys = new long[100_000];
        var index = new KeyPositions(capacity);
        var expected = new Dictionary<long, int>();
        for (var i = 0; i < keys.Length; i++)
        {
            // A third of the keys from a small range, so later customers replace earlier ones.
            var key = random.Next(3) == 0 ? random.NextInt64(1, 1000) : random.NextInt64(long.MinValue, long.MaxValue);
            if (key == 0) key = 1;
            keys[i] = key;
            index.Set(i, keys);
            expected[key] = i;
        }
        index.Count.ShouldBe(expected.Count);
        foreach (var (key, position) in expected)
        {
            index.TryGetPosition(key, keys, out var found).ShouldBeTrue();
            found.ShouldBe(position);
        }
        for (var n = 0; n < 10_000; n++)
        {
            var key = random.NextInt64(long.MinValue, long.MaxValue);
            index.TryGetPosition(key, keys, out _).ShouldBe(expected.ContainsKey(key));
        }
    }
}

using SmartCrm.Collections;
using Shouldly;
using Xunit;

namespace SmartCrm.Tests.Collections;

public class LongIntMapTests
{
    [Fact]
    public void A_missing_key_is_not_found()
    {
        var map = new LongIntMap();
        map[5] = 1;
        map.TryGetValue(6, out _).ShouldBeFalse();
        map.TryGetValue(0, out _).ShouldBeFalse();
        map.Count.ShouldBe(1);
    }

    [Fact]
    public void Setting_a_key_again_replaces_its_value_without_adding()
    {
        var map = new LongIntMap();
        map[42] = 1;
        map[42] = 7;
        map.TryGetValue(42, out var value).ShouldBeTrue();
        value.ShouldBe(7);
        map.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Zero_negative_and_extreme_keys_are_keys_like_any_other(long key)
    {
        var map = new LongIntMap();
        map[key] = 3;
        map[key + 1] = 4;
        map.TryGetValue(key, out var value).ShouldBeTrue();
        value.ShouldBe(3);
        map.TryGetValue(key + 1, out var next).ShouldBeTrue();
        next.ShouldBe(4);
        map.Count.ShouldBe(2);
    }

    [Fact]
    public void The_reference_to_a_new_key_starts_at_zero_and_writes_through()
    {
        var map = new LongIntMap();
        ref var head = ref map.GetValueRefOrAddDefault(9, out var exists);
        exists.ShouldBeFalse();
        head.ShouldBe(0);
        head = 11;
        ref var again = ref map.GetValueRefOrAddDefault(9, out exists);
        exists.ShouldBeTrue();
        again.ShouldBe(11);
        map[9].ShouldBe(11);
    }

    [Fact]
    public void Every_key_survives_many_doublings()
    {
        // Sequential keys are the worst case for a map that does not mix its hash: they would pile up in one run of slots.
        var map = new LongIntMap(0);
        for (var key = -50_000L; key < 50_000; key++) map[key] = (int)(key * 3);
        map.Count.ShouldBe(100_000);
        for (var key = -50_000L; key < 50_000; key++)
        {
            map.TryGetValue(key, out var value).ShouldBeTrue();
            value.ShouldBe((int)(key * 3));
        }
        map.TryGetValue(50_000, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1000)]
    [InlineData(3, 200_000)]
    public void It_agrees_with_a_dictionary_on_random_keys_and_overwrites(int seed, int capacity)
    {
        var random = new Random(seed);
        var map = new LongIntMap(capacity);
        var expected = new Dictionary<long, int>();
        // Keys from a small range repeat (overwrites); full-range ones cover negatives and high bits.
        for (var n = 0; n < 100_000; n++)
        {
            var key = random.Next(3) == 0 ? random.NextInt64(-500, 500) : random.NextInt64(long.MinValue, long.MaxValue);
            var value = random.Next();
            map[key] = value;
            expected[key] = value;
        }
        map.Count.ShouldBe(expected.Count);
        foreach (var (key, value) in expected)
        {
            map.TryGetValue(key, out var found).ShouldBeTrue();
            found.ShouldBe(value);
        }
        for (var n = 0; n < 10_000; n++)
        {
            var key = random.NextInt64(long.MinValue, long.MaxValue);
            map.TryGetValue(key, out _).ShouldBe(expected.ContainsKey(key));
        }
    }

    [Fact]
    public void A_negative_capacity_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new LongIntMap(-1));
    }
}

using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Tests.Attacks;

public class TradesAttackTests
{
    [Fact]
    public void Descriptor_Default_IsTradesNotPgd()
    {
        var attack = new TradesAttack(epsilon: 8.0 / 255, stepSize: 2.0 / 255, steps: 10);

        attack.Descriptor.Family.Should().Be(AttackFamily.Trades, "a label-free KL attack must not be picked up by filters for PGD");
        attack.Descriptor.DisplayName.Should().StartWith("TRADES-KL-10(");
    }
}

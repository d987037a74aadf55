"""The groups of order statuses, named once: every rule and read model that asks whether an order is placed, holds
stock or may be paid uses these. The statuses themselves are ``schemas.orders.OrderStatus`` (the index mappings
name each one, and schemas import nothing of the domain)."""

from schemas.orders import OrderStatus

# Not (or no longer) placed: a draft, or a cancelled order. In this order wherever the statuses are named in a text.
NOT_PLACED = (OrderStatus.DRAFT, OrderStatus.CANCELLED)

# Placed orders: neither DRAFT nor CANCELLED. A customer's placed_orders, total_spent, average order value and
# favourite products count them, and so do the statistics' revenue, average order value and top products.
PLACED = tuple(status for status in OrderStatus if status not in NOT_PLACED)

# While an order holds stock: its submitted lines are reserved (or backordered) until shipping deducts them or a
# cancellation releases them.
HOLDING_STOCK = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED)

# Where a payment may be recorded.
PAYABLE = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED)

# Handed to the carrier: too late to cancel.
SHIPPED_OR_LATER = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)

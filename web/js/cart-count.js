// The cart badge in the header. Any page that learns the cart's contents reports them here.

export function showCartCount(cart) {
  const badge = document.getElementById('cart-count');
  const count = cart?.count ?? cart?.items?.reduce((n, i) => n + i.quantity, 0) ?? 0;
  badge.textContent = String(count);
  badge.setAttribute('aria-label', `${count} ${count === 1 ? 'car' : 'cars'} in cart`);
  badge.classList.remove('bump');
  void badge.offsetWidth; // restart the animation
  badge.classList.add('bump');
}

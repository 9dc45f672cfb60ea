import { Component, type ReactNode } from 'react';

/**
 * A page that fails while rendering shows what happened, with the way back, instead of leaving
 * the screen blank; the rest of the console (header, navigation) keeps working.
 */
export class PageError extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section>
        <h1>This page failed</h1>
        <p role="alert" className="error">
          {this.state.error.message}
        </p>
        <p>
          Go to <a href="#/instances">your instances</a>, or reload the page.
        </p>
      </section>
    );
  }
}

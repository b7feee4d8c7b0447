import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';

/** The platform team's page: the orchestrator's state at a glance. */
export const PlatformPage = () => {
  const api = useApi(orchestratorApiRef);
  const { value, loading, error } = useAsync(() => api.getHealth(), [api]);

  return (
    <Page themeId="tool">
      <Header
        title="Baton"
        subtitle="Platform orchestrator: Score workloads, resource definitions, deployments"
      />
      <Content>
        <ContentHeader title="Orchestrator" />
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <InfoCard title="Backend">
            <StructuredMetadataTable metadata={{ status: value.status }} />
          </InfoCard>
        )}
      </Content>
    </Page>
  );
};
